package checks

import "testing"

func TestJudgeElementConfig(t *testing.T) {
	const url, base, name = "https://chat.redrockdsa.org/config.json", "https://matrix.redrockdsa.org", "redrockdsa.org"
	right := `"default_server_config":{"m.homeserver":{"base_url":"https://matrix.redrockdsa.org/","server_name":"redrockdsa.org"}}`
	tests := []struct {
		name       string
		status     int
		body       string
		restricted bool
		want       Status
	}{
		{"open, preset", 200, "{" + right + "}", false, Pass},
		{"open, local rooms by a person's choice", 200, "{" + right + `,"default_federate":false}`, false, Pass},
		{"closed, local rooms", 200, "{" + right + `,"default_federate":false}`, true, Pass},
		{"closed, key absent", 200, "{" + right + "}", true, Warn},
		{"closed, federating rooms", 200, "{" + right + `,"default_federate":true}`, true, Warn},
		{"matrix.org preset", 200, `{"default_server_config":{"m.homeserver":{"base_url":"https://matrix-client.matrix.org","server_name":"matrix.org"}}}`, false, Fail},
		{"not JSON", 200, `{"default_server_config":`, false, Fail},
		{"no file", 404, "<html>", false, Fail},
	}
	for _, tt := range tests {
		if got := judgeElementConfig(url, tt.status, []byte(tt.body), base, name, tt.restricted); got.Status != tt.want {
			t.Errorf("%s: %s (%s), want %s", tt.name, got.Status, got.Detail, tt.want)
		}
	}
}
