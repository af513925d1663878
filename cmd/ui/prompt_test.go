package ui

import (
	"errors"
	"strings"
	"testing"
)

// Accessible mode from a pipe: each prompt reads its own line, as a screen
// reader user or a script answering line by line expects.
func TestAccessiblePromptsReadOneLineEach(t *testing.T) {
	s, in, _, errOut := Test()
	s.Accessible = true
	in.WriteString("redrockdsa.org\n2\ny\n\n")
	p := s.Prompter()

	domain, err := p.Input(Question{Title: "Domain"})
	if err != nil || domain != "redrockdsa.org" {
		t.Fatalf("Input = %q, %v", domain, err)
	}
	chat, err := p.Select("Chat", "", []Choice{{"Matrix", "matrix"}, {"Rocket.Chat", "rocketchat"}, {"Mattermost", "mattermost"}}, "matrix")
	if err != nil || chat != "rocketchat" {
		t.Fatalf("Select = %q, %v", chat, err)
	}
	mail, err := p.Confirm("Email?", "", false)
	if err != nil || !mail {
		t.Fatalf("Confirm = %v, %v", mail, err)
	}
	// An empty answer takes the default.
	region, err := p.Select("Region", "", []Choice{{"New York 3", "nyc3"}, {"Amsterdam 3", "ams3"}}, "ams3")
	if err != nil || region != "ams3" {
		t.Fatalf("Select default = %q, %v", region, err)
	}
	if !strings.Contains(errOut.String(), "Domain") || !strings.Contains(errOut.String(), "2. Rocket.Chat") {
		t.Errorf("prompts not shown:\n%s", errOut)
	}
}

func TestAccessiblePromptsAtEndOfInputTakeDefaults(t *testing.T) {
	s, _, _, _ := Test()
	s.Accessible = true
	p := s.Prompter()
	got, err := p.Input(Question{Title: "Domain", Default: "", Validate: func(v string) error {
		if v == "" {
			return errors.New("required")
		}
		return nil
	}})
	// huh skips the validator at EOF: the caller must validate again.
	if err != nil || got != "" {
		t.Fatalf("Input at EOF = %q, %v", got, err)
	}
	choice, err := p.Select("Chat", "", []Choice{{"Matrix", "matrix"}}, "matrix")
	if err != nil || choice != "matrix" {
		t.Fatalf("Select at EOF = %q, %v", choice, err)
	}
}

func TestSecretNeedsATerminal(t *testing.T) {
	s, _, _, _ := Test()
	if _, err := s.Prompter().Secret("Token", ""); err == nil {
		t.Fatal("a hidden prompt ran without a terminal")
	}
}
