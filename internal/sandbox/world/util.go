package world

import "strconv"

func atoiOr(s string, fallback int) int {
	if n, err := strconv.Atoi(s); err == nil {
		return n
	}
	return fallback
}

func itoa(n int) string { return strconv.Itoa(n) }
