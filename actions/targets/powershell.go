package targets

import (
	"errors"
	"fmt"
	"runtime"
	"strings"

	"github.com/failover-dev/failover/actions"
)

// PowerShell is the powershell target: where and how PowerShell runs
// the ps.* actions (for Lync, the Lync or SkypeForBusiness module).
type PowerShell struct {
	Modules           []string `param:"modules" doc:"Modules imported before each call, e.g. [Lync] or [SkypeForBusiness]."`
	Computer          string   `param:"computer" doc:"Computer (FQDN) to run on with Invoke-Command over WinRM. Omitted: run on the machine running failover. Must be in the surviving data center."`
	User              string   `param:"user" doc:"User (DOMAIN\\user) of the remote session. Omitted: the current user."`
	Password          string   `param:"password,secret" doc:"Password of user; use ${secrets.NAME}."`
	Authentication    string   `param:"authentication,enum=Default|Negotiate|Kerberos|CredSSP|Basic" doc:"Invoke-Command -Authentication. CredSSP (or Kerberos delegation) is needed when the cmdlets reach a second machine, as the Lync cmdlets do (CMS, SQL)."`
	ConfigurationName string   `param:"configuration_name" doc:"Session configuration (endpoint) on the remote computer, e.g. Microsoft.PowerShell."`
	Executable        string   `param:"executable" doc:"PowerShell program: a name looked up in PATH, or a path. Omitted: powershell.exe on Windows, pwsh elsewhere. The Lync and Skype for Business modules need Windows PowerShell (powershell.exe), not pwsh; the lab's Management Shell is failover-lab (see targets.yaml of failover-lab up)."`
	Args              []string `param:"args" doc:"Arguments given to the executable before failover's own (-NoLogo -NoProfile -NonInteractive -ExecutionPolicy Bypass -OutputFormat Text -EncodedCommand …), e.g. [-Version, '5.1'] or [-STA]."`
}

// DefaultExecutable is the executable of a powershell target that names
// none: Windows PowerShell on Windows, PowerShell 7 elsewhere.
func DefaultExecutable() string {
	if runtime.GOOS == "windows" {
		return "powershell.exe"
	}
	return "pwsh"
}

// Program returns the executable to run: Executable, or the default.
func (t *PowerShell) Program() string {
	if t.Executable == "" {
		return DefaultExecutable()
	}
	return t.Executable
}

func powerShellType() *actions.TargetType {
	return actions.DefineTarget[PowerShell](actions.TargetType{
		Name: "powershell",
		Doc: "Windows PowerShell, local or remote. Locally, failover runs the executable with " +
			"-NoProfile -NonInteractive; with computer, the script runs there through Invoke-Command, " +
			"with user and password as -Credential when given.",
	}, rules[PowerShell](validatePowerShell))
}

// validatePowerShell applies the cross-field rules of a powershell target.
func validatePowerShell(t *PowerShell) error {
	remoteOnly := t.User != "" || t.Password != "" || t.Authentication != "" || t.ConfigurationName != ""
	switch {
	case t.Computer == "" && remoteOnly:
		return errors.New("user, password, authentication and configuration_name need computer: they apply to a remote session")
	case t.Password != "" && t.User == "":
		return errors.New("password needs user")
	case t.User != "" && t.Password == "":
		return errors.New("user needs password: a non-interactive session cannot prompt for it")
	case t.Authentication == "CredSSP" && t.User == "":
		return errors.New("authentication: CredSSP needs user and password")
	case t.Executable != "" && strings.TrimSpace(t.Executable) == "":
		return errors.New("executable must not be blank: omit it for the default")
	}
	for i, a := range t.Args {
		if strings.ContainsRune(a, 0) {
			return fmt.Errorf("args: item %d holds a NUL character", i+1)
		}
	}
	for i, m := range t.Modules {
		if strings.TrimSpace(m) == "" {
			return fmt.Errorf("modules: item %d is empty", i+1)
		}
	}
	return nil
}
