package steps

// Init returns the steps of `chapterctl init`, in the contract's order
// (Order): from an empty folder to a running Cloudron with the chat
// server, email and their DNS records, verified.
func Init() []Step {
	return []Step{NewSSHKey(), NewDroplet(), NewFirewall(), NewDNSHost(), NewPlatform(), NewPlatformSetup(), NewChat(), NewMail(), NewDNSRecords(), NewVerify()}
}
