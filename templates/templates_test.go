package templates

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestUserDataInstallsTheHostKey(t *testing.T) {
	private := "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nQyNTUxOQAAACDx\n-----END OPENSSH PRIVATE KEY-----\n"
	public := "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIPHx host"
	data, err := UserData(CloudInit{HostKeyPrivate: private, HostKeyPublic: public})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(data), "#cloud-config\n") {
		t.Fatalf("user data does not start with #cloud-config:\n%s", data)
	}
	var doc struct {
		DeleteKeys  bool              `yaml:"ssh_deletekeys"`
		GenKeyTypes []string          `yaml:"ssh_genkeytypes"`
		Keys        map[string]string `yaml:"ssh_keys"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("user data is not YAML: %v\n%s", err, data)
	}
	if doc.Keys["ed25519_private"] != private || doc.Keys["ed25519_public"] != public {
		t.Errorf("keys = %q", doc.Keys)
	}
	if !doc.DeleteKeys || doc.GenKeyTypes == nil || len(doc.GenKeyTypes) != 0 {
		t.Errorf("the image's own host keys are not replaced: %+v", doc)
	}
	if len(data) > 64<<10 {
		t.Errorf("user data is %d bytes; DigitalOcean takes at most 64 KiB", len(data))
	}
}

func TestUserDataRefusesAMissingKey(t *testing.T) {
	if _, err := UserData(CloudInit{HostKeyPublic: "ssh-ed25519 AAAA"}); err == nil {
		t.Fatal("rendered user data without a private host key")
	}
}

func TestRenderRefusesMissingFields(t *testing.T) {
	if _, err := Render("cloud-init.yaml.tmpl", map[string]string{"HostKeyPublic": "x"}); err == nil {
		t.Fatal("a missing field rendered as empty")
	}
}
