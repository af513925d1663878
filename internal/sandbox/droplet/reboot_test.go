package droplet

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chapterctl/chapterctl/internal/sandbox/world"
	"golang.org/x/crypto/ssh"
)

// answers tells whether a new connection gets in now.
func (td *testDroplet) answers() bool {
	c, err := td.dial()
	if err == nil {
		c.Close()
	}
	return err == nil
}

// sessionWorks tells whether an established connection still runs commands.
func sessionWorks(c *ssh.Client) bool {
	s, err := c.NewSession()
	if err != nil {
		return false
	}
	defer s.Close()
	return s.Run("true") == nil
}

func TestRebootDropsConnectionsAndRefusesNewOnesUntilBooted(t *testing.T) {
	t.Parallel()
	for _, command := range []string{"reboot", "systemctl reboot", "shutdown -r now"} {
		t.Run(command, func(t *testing.T) {
			t.Parallel()
			td := newTestDroplet(t, withScale(0.02)) // the reboot's 40 s: 0.8 s
			c, bystander := td.client(t), td.client(t)
			before := time.Now()
			if r := run(t, c, command, ""); r.status != -1 {
				t.Errorf("%s: %+v, want the connection gone before any exit status", command, r)
			}
			if sessionWorks(bystander) {
				t.Error("another connection survived the reboot")
			}
			if td.answers() {
				t.Error("a new connection got in while the droplet rebooted")
			}
			m, _ := td.machine(t)
			if took := m.BootedAt.Sub(before); took < 800*time.Millisecond || took > time.Second {
				t.Errorf("boot ends %v after the reboot, want the scaled 40 s", took)
			}
			eventually(t, "ssh after the reboot", td.answers)
		})
	}
}

func TestARebootThroughTheAPIIsNoticed(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, withScale(0.02))
	c := td.client(t)
	td.w.Update(context.Background(), "digitalocean.droplet.reboot", func(d *world.Data) error {
		d.DropletByID(testDropletID).RestartedAt = time.Now()
		return nil
	})
	if td.answers() {
		t.Error("answered right after a power cycle")
	}
	if sessionWorks(c) {
		t.Error("a connection of the earlier boot survived")
	}
	eventually(t, "ssh after the power cycle", td.answers)
}

func TestRebootKillsARunningInstall(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t, withScale(0.002))
	c := td.client(t)
	fetchInstaller(t, c)
	sh(t, c, "systemd-run -q /root/cloudron-setup --skip-reboot")
	td.waitForInstallStart(t)
	run(t, c, "reboot", "")
	_, in := td.machine(t)
	if !in.Ended || in.ExitCode != 143 || in.KilledAt.IsZero() {
		t.Errorf("installer after a reboot: %+v", in)
	}
	eventually(t, "the end the install would have had", func() bool { return time.Now().After(in.FinishesAt) })
	if td.cloudron() {
		t.Error("an install killed early by a reboot left a Cloudron")
	}
}

func TestHostKeyRotation(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c := td.client(t)
	newPub := sh(t, c, "rm -f /etc/ssh/ssh_host_ed25519_key /etc/ssh/ssh_host_ed25519_key.pub && "+
		"ssh-keygen -q -t ed25519 -f /etc/ssh/ssh_host_ed25519_key -N '' && cat /etc/ssh/ssh_host_ed25519_key.pub")
	rotated, _, _, _, err := ssh.ParseAuthorizedKey([]byte(newPub))
	if err != nil {
		t.Fatal(err)
	}
	if !td.answers() {
		t.Fatal("sshd changed keys before it was restarted")
	}
	sh(t, c, "systemctl restart ssh")
	if _, err := td.dial(); err == nil || !strings.Contains(err.Error(), "host key mismatch") {
		t.Errorf("old pin after the restart: %v, want a mismatch", err)
	}
	fresh, err := td.dialWith(td.key, ssh.FixedHostKey(rotated))
	if err != nil {
		t.Fatalf("new pin: %v", err)
	}
	fresh.Close()
	if !sessionWorks(c) {
		t.Error("the connection that rotated the key was dropped")
	}
}

func TestABadHostKeyFileTakesSSHDown(t *testing.T) {
	t.Parallel()
	td := newTestDroplet(t)
	c := td.client(t)
	sh(t, c, "echo garbage > /etc/ssh/ssh_host_ed25519_key")
	r := run(t, c, "systemctl restart ssh", "")
	if r.status != 1 || !strings.HasPrefix(r.stderr, "Job for ssh.service failed") {
		t.Errorf("restart with a bad key: %+v", r)
	}
	if td.answers() {
		t.Error("sshd answered without a host key")
	}
	if !sessionWorks(c) {
		t.Fatal("an established connection died with the listener")
	}
	pub := sh(t, c, "rm /etc/ssh/ssh_host_ed25519_key* && ssh-keygen -A && systemctl restart ssh && "+
		"cat /etc/ssh/ssh_host_ed25519_key.pub")
	key, _, _, _, err := ssh.ParseAuthorizedKey([]byte(pub))
	if err != nil {
		t.Fatal(err)
	}
	back, err := td.dialWith(td.key, ssh.FixedHostKey(key))
	if err != nil {
		t.Fatalf("after a good key: %v", err)
	}
	back.Close()
}
