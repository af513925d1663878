package droplet

import (
	"regexp"
	"strings"
	"testing"
)

// The programs scripts rely on, on an s-2vcpu-4gb Ubuntu 22.04 droplet
// named my.example.org: each command's output as the real one prints it.
func TestPrograms(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	sh(t, c, "printf 'b\\na\\nb\\nc\\n' > /tmp/letters; printf 'k=v\\nname: x\\n' > /tmp/conf")
	cases := []struct {
		command string
		want    string // exact stdout, or a regexp when it starts with "~"
		status  int
	}{
		{"cat /etc/hostname", "my\n", 0},
		{"cat /nope", "", 1},
		{"echo a; printf '%s-%d\\n' x 3", "a\nx-3\n", 0},
		{"test -f /etc/os-release && [ -d /root ] && [ ! -e /nope ] && echo ok", "ok\n", 0},
		{"grep -q b /tmp/letters", "", 0},
		{"grep -q z /tmp/letters", "", 1},
		{"grep -c b /tmp/letters", "2\n", 0},
		{"grep -E 'a|c' /tmp/letters", "a\nc\n", 0},
		{"grep -v b /tmp/letters", "a\nc\n", 0},
		{"grep -i B /tmp/letters | head -1", "b\n", 0},
		{"grep -F 'name:' /tmp/conf", "name: x\n", 0},
		{`grep '^k=\(v\)$' /tmp/conf`, "k=v\n", 0},
		{"grep x /nope", "", 2},
		{"head -n 2 /tmp/letters; head -1 /tmp/letters", "b\na\nb\n", 0},
		{"tail -n 1 /tmp/letters; tail -n +3 /tmp/letters", "c\nb\nc\n", 0},
		{"wc -l /tmp/letters; wc -l < /tmp/letters", "4 /tmp/letters\n4\n", 0},
		{"echo a:b:c | cut -d: -f2; echo a:b:c | cut -d: -f2-", "b\nb:c\n", 0},
		{"echo hello | tr a-z A-Z; echo 'a  b' | tr -s ' '; echo abc | tr -d b", "HELLO\na b\nac\n", 0},
		{"sort /tmp/letters | uniq", "a\nb\nc\n", 0},
		{"sort -u -r /tmp/letters", "c\nb\na\n", 0},
		{"printf '7.5.99\\n10.0.1\\n9.0.15\\n' | sort -V | tail -1", "10.0.1\n", 0},
		{"sort /tmp/letters | uniq -c", "      1 a\n      2 b\n      1 c\n", 0},
		{"ls /etc/ssh", "ssh_host_ed25519_key\nssh_host_ed25519_key.pub\nsshd_config\n", 0}, // C.UTF-8 order
		{"ls -ld /tmp", "~^drwxrwxrwt 2 root root 4096 \\w{3} [ \\d]\\d \\d\\d:\\d\\d /tmp\n$", 0},
		{"ls /nope", "", 2},
		{"mkdir -p /srv/a/b && touch /srv/a/b/c && ls /srv/a/b", "c\n", 0},
		{"mkdir /srv", "", 1},
		{"mkdir /x/y", "", 1},
		{"echo v > /srv/f && mv /srv/f /srv/g && cp /srv/g /srv/h && cat /srv/g /srv/h && ls /srv", "v\nv\na\ng\nh\n", 0},
		{"rm -f /srv/nope && rm /srv/nope", "", 1},
		{"mkdir /srv/d && rm /srv/d", "", 1},
		{"mkdir /srv/e && touch /srv/e/f && rm -rf /srv/e && ls /srv/e", "", 2},
		{"touch /srv/m && chmod 600 /srv/m && stat -c '%a %U %F' /srv/m && chmod u+x,go+r /srv/m && stat -c %A /srv/m", "600 root regular empty file\n-rwxr--r--\n", 0},
		{"stat -c '%s %n' /etc/hostname", "3 /etc/hostname\n", 0},
		{"id -u; id; whoami", "0\nuid=0(root) gid=0(root) groups=0(root)\nroot\n", 0},
		{"hostname; hostname -f", "my\nmy.example.org\n", 0},
		{"uname -s; uname -m; uname -r", "Linux\nx86_64\n5.15.0-151-generic\n", 0},
		{"uname -a", "Linux my 5.15.0-151-generic #1 SMP PREEMPT_DYNAMIC Thu Oct  2 10:11:12 UTC 2025 x86_64 x86_64 x86_64 GNU/Linux\n", 0},
		{"nproc", "2\n", 0},
		{"free -m", "               total        used        free      shared  buff/cache   available\n" +
			"Mem:            3949         197        3258           9         493        3752\n" +
			"Swap:              0           0           0\n", 0},
		{"free -b | grep Mem: | tr -s ' ' | cut -d' ' -f2", "4141355008\n", 0},
		{"head -1 /proc/meminfo", "MemTotal:        4044292 kB\n", 0},
		{"grep -c avx2 /proc/cpuinfo", "2\n", 0},
		{"df -B1 /", "Filesystem       1B-blocks       Used   Available Use% Mounted on\n" +
			"/dev/vda1      82463371264 2473901137 79989470127   3% /\n", 0},
		{"df -k /", "Filesystem     1K-blocks    Used Available Use% Mounted on\n/dev/vda1       80530636 2415920  78114717   3% /\n", 0},
		{"df -P / | tail -n1", "/dev/vda1         80530636 2415920  78114717       3% /\n", 0},
		{"df --output=fstype,size / | tail -n1", "ext4  80530636\n", 0},
		{"date -u -d @0 +%Y-%m-%dT%H:%M:%S", "1970-01-01T00:00:00\n", 0},
		{"date +%s", "~^\\d{10}\n$", 0},
		{"sleep 2 && echo slept", "slept\n", 0},
		{"timeout 1 sleep 60", "", 124},
		{"lsb_release -rs; lsb_release -cs", "22.04\njammy\n", 0},
		{"systemd-detect-virt --container", "none\n", 1},
		{"systemd-detect-virt", "kvm\n", 0},
		{"systemctl is-active ssh box", "active\ninactive\n", 3},
		{"systemctl cat box.service", "", 1},
		{"systemctl status nope", "", 4},
		{"ss -tlnH", "~^LISTEN 0\\s+4096\\s+127.0.0.53%lo:53\\s+0.0.0.0:\\*\n" +
			"LISTEN 0\\s+4096\\s+0.0.0.0:22\\s+0.0.0.0:\\*\nLISTEN 0\\s+4096\\s+\\[::\\]:22\\s+\\[::\\]:\\*\n$", 0},
		{"curl -fsS https://example.com/", "", 7},
		{"curl -s http://127.0.0.1:3000/api/v1/cloudron/status", "", 7},
		{"curl -fsSL https://cloudron.io/cloudron-setup | head -1", "#!/bin/bash\n", 0},
		{"wget -q -O- https://cloudron.io/cloudron-setup | head -1", "#!/bin/bash\n", 0},
		{"wget -q https://example.com/x", "", 4},
		{"cd /tmp && wget -q https://cloudron.io/cloudron-setup && wget -q https://cloudron.io/cloudron-setup && ls cloudron-setup*",
			"cloudron-setup\ncloudron-setup.1\n", 0},
		{"hostname other && hostname && cat /etc/hostname", "other\nmy\n", 0},
		{"curl -s http://169.254.169.254/metadata/v1/id", "7", 0},
		{"nohup echo hi; setsid echo ho; timeout 5 echo hu", "hi\nho\nhu\n", 0},
		{"nohup nope", "", 127},
		{"true && ! false && /usr/bin/true && echo yes", "yes\n", 0},
		{"echo hi | sha256sum", "98ea6e4f216f2fb4b69fff9b3a44842c38686ca685f3f55dc48c5d3fb1107be4  -\n", 0},
		{"echo hi | base64; echo aGkK | base64 -d", "aGkK\nhi\n", 0},
		{"ssh-keygen -t ed25519 -f /root/k -N '' -q -C me && ssh-keygen -lf /root/k.pub", "~^256 SHA256:\\S+ me \\(ED25519\\)\n$", 0},
		{"which curl systemctl; command -v ls; type -t cd", "/usr/bin/curl\n/usr/bin/systemctl\n/usr/bin/ls\nbuiltin\n", 0},
		{"which docker", "", 1},
		{"cloud-init status", "status: done\n", 0},
		{"bash -c 'echo $0 $1' me you; echo 'echo piped' | bash", "me you\npiped\n", 0},
		{"printf '#!/bin/sh\\necho script $1\\n' > /root/s.sh && chmod +x /root/s.sh && /root/s.sh 1 && bash /root/s.sh 2", "script 1\nscript 2\n", 0},
		{"printf 'echo x\\n' > /root/noexec.sh && /root/noexec.sh", "", 126},
		{"cd /etc && pwd && cat hostname", "/etc\nmy\n", 0},
		{"for f in /etc/ssh/*.pub; do echo $f; done", "/etc/ssh/ssh_host_ed25519_key.pub\n", 0},
		{"env | grep -c '^HOME=/root$'", "1\n", 0},
		{"x=$(cat /etc/hostname); echo \"[$x]\"", "[my]\n", 0},
	}
	for _, tc := range cases {
		r := run(t, c, tc.command, "")
		ok := r.stdout == tc.want
		if pattern, isRegexp := strings.CutPrefix(tc.want, "~"); isRegexp {
			ok = regexp.MustCompile(pattern).MatchString(r.stdout)
		}
		if !ok || r.status != tc.status {
			t.Errorf("%s\n got status %d, stdout %q (stderr %q)\nwant status %d, stdout %q", tc.command, r.status, r.stdout,
				r.stderr, tc.status, tc.want)
		}
	}
}

// Complaints read as the real tools word them.
func TestProgramErrorsReadAsTheRealOnes(t *testing.T) {
	t.Parallel()
	c := newTestDroplet(t).client(t)
	cases := []struct{ command, stderr string }{
		{"cat /nope", "cat: /nope: No such file or directory\n"},
		{"ls /nope", "ls: cannot access '/nope': No such file or directory\n"},
		{"rm /nope", "rm: cannot remove '/nope': No such file or directory\n"},
		{"mkdir /root", "mkdir: cannot create directory ‘/root’: File exists\n"},
		{"head --bogus", "head: unrecognized option '--bogus'\nTry 'head --help' for more information.\n"},
		{"grep -Z x", "grep: invalid option -- 'Z'\nTry 'grep --help' for more information.\n"},
		{"curl -sS https://example.com/", "curl: (7) Failed to connect to example.com port 443 after 0 ms: No route to host\n"},
		{"curl -sS localhost:3000/api/v1/cloudron/status", "curl: (7) Failed to connect to localhost port 3000 after 0 ms: Connection refused\n"},
		{"./nope", "bash: line 1: ./nope: No such file or directory\n"},
		{"docker ps", "bash: line 1: docker: command not found\n"},
	}
	for _, tc := range cases {
		if r := run(t, c, tc.command, ""); r.stderr != tc.stderr {
			t.Errorf("%s: stderr %q, want %q", tc.command, r.stderr, tc.stderr)
		}
	}
}
