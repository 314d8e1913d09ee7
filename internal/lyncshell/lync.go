package lyncshell

import (
	"path/filepath"
	"strings"
)

// The Persistent Chat cmdlets of domain.md F. Messages marked "lab:" in
// docs/powershell.md are the lab's wording where the real text is not
// known.

var (
	poolStates    = []string{"Normal", "FailedOver"}
	databaseTypes = []string{"ActiveMonitoring", "Application", "Archiving", "CentralMgmt", "Edge", "Lyss", "Monitoring",
		"PersistentChat", "PersistentChatCompliance", "Provision", "Registrar", "SigninTelemetry", "User"}
	// databases maps the simulated database types to their databases.
	databases = map[string]string{"PersistentChat": "mgc", "PersistentChatCompliance": "mgccomp"}
)

func lyncCmdlets() []*cmdlet {
	return []*cmdlet{
		{name: "Get-CsPersistentChatState", lync: true, run: getChatState, params: []param{
			{name: "Identity", kind: kText, position: 0}, {name: "Filter", kind: kText, position: -1},
			{name: "LocalStore", kind: kSwitch, position: -1}}},
		{name: "Set-CsPersistentChatState", lync: true, confirm: true, run: setChatState, params: []param{
			{name: "Identity", kind: kText, position: 0, mandatory: true},
			{name: "PoolState", kind: kEnum, enum: poolStates, position: -1, typeName: "Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState"},
			{name: "Force", kind: kSwitch, position: -1}, {name: "Instance", kind: kAny, position: -1}}},
		{name: "Set-CsPersistentChatActiveServer", lync: true, confirm: true, run: setActiveServers, params: []param{
			{name: "Identity", kind: kText, position: 0}, {name: "ActiveServers", kind: kList, position: -1,
				typeName: "Microsoft.Rtc.Management.PSListModifier`1[Microsoft.Rtc.Management.Deploy.Fqdn]"},
			{name: "Swap", kind: kSwitch, position: -1}, {name: "Force", kind: kSwitch, position: -1}}},
		{name: "Get-CsService", lync: true, run: getService, params: []param{
			{name: "PersistentChatServer", kind: kSwitch, position: -1}, {name: "PoolFqdn", kind: kText, position: -1},
			{name: "Identity", kind: kText, position: 0}}},
		{name: "Install-CsMirrorDatabase", lync: true, confirm: true, prompts: true, run: installMirror, params: []param{
			{name: "DatabaseType", kind: kEnum, enum: databaseTypes, position: -1, typeName: "Microsoft.Rtc.Management.Deployment.DatabaseNameType"},
			{name: "SqlServerFqdn", kind: kText, position: -1, mandatory: true}, {name: "SqlInstanceName", kind: kText, position: -1},
			{name: "FileShare", kind: kText, position: -1, mandatory: true}, {name: "DropExistingDatabasesOnMirror", kind: kSwitch, position: -1},
			{name: "ExcludeDatabaseList", kind: kList, position: -1}, {name: "Report", kind: kText, position: -1},
			{name: "ConfiguredDatabases", kind: kSwitch, position: -1}, {name: "DatabasePathMap", kind: kAny, position: -1},
			{name: "ForDefaultInstance", kind: kSwitch, position: -1}, {name: "ForInstance", kind: kText, position: -1}}},
		{name: "Get-CsDatabaseMirrorState", lync: true, run: getMirrorState, params: []param{
			{name: "PoolFqdn", kind: kText, position: -1, mandatory: true},
			{name: "DatabaseType", kind: kEnum, enum: databaseTypes, position: -1, typeName: "Microsoft.Rtc.Management.Deployment.DatabaseNameType"},
			{name: "LocalStore", kind: kSwitch, position: -1}, {name: "Report", kind: kText, position: -1}}},
	}
}

// poolIdentity resolves an identity of the pool: service:FQDN,
// PersistentChatServer:FQDN or service:PersistentChatServer:FQDN, any
// case; anything else (a space after service:, another pool) is not
// found (domain.md edge case 28).
func (sh *shell) poolIdentity(cmd, id string) error {
	lower := strings.ToLower(id)
	for _, prefix := range []string{"service:persistentchatserver:", "persistentchatserver:", "service:"} {
		if rest, ok := strings.CutPrefix(lower, prefix); ok {
			if rest == strings.ToLower(sh.st.Pool) {
				return nil
			}
			break
		}
	}
	return cmdletError(cmd, "ObjectNotFound", "ObjectNotFound", id, "System.Management.Automation.ItemNotFoundException",
		"Cannot find \"PersistentChatState\" \"%s\" because it does not exist. (lab: the pool is service:%s)", id, sh.st.Pool)
}

func (sh *shell) chatState() *object {
	return newObject("Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState",
		"Identity", "PersistentChatServer:"+sh.st.Pool, "PoolState", sh.st.PoolState)
}

func getChatState(sh *shell, b bound, _ []any) ([]any, error) {
	if b.has("Identity") && b.has("Filter") {
		return nil, bindError("Get-CsPersistentChatState", "AmbiguousParameterSet", "InvalidArgument",
			"Parameter set cannot be resolved using the specified named parameters.")
	}
	if f := b.text("Filter"); f != "" {
		if !wildcard(f, "PersistentChatServer:"+sh.st.Pool) && !wildcard(f, sh.st.Pool) {
			return nil, nil
		}
		return []any{sh.chatState()}, nil
	}
	if id := b.text("Identity"); b.has("Identity") {
		if err := sh.poolIdentity("Get-CsPersistentChatState", id); err != nil {
			return nil, err
		}
	}
	return []any{sh.chatState()}, nil
}

// wildcard matches PowerShell's * and ? patterns, any case.
func wildcard(pattern, s string) bool {
	ok, err := filepath.Match(strings.ToLower(pattern), strings.ToLower(s))
	return err == nil && ok
}

func setChatState(sh *shell, b bound, _ []any) ([]any, error) {
	if b.has("Instance") {
		return nil, unsupported("Set-CsPersistentChatState", "-Instance (pipe the object's Identity instead)")
	}
	if err := sh.poolIdentity("Set-CsPersistentChatState", b.text("Identity")); err != nil {
		return nil, err
	}
	if s := b.text("PoolState"); s != "" {
		sh.st.PoolState = s
		sh.dirty = true
	}
	return nil, nil
}

func setActiveServers(sh *shell, b bound, _ []any) ([]any, error) {
	const cmd = "Set-CsPersistentChatActiveServer"
	if b.has("Swap") {
		return nil, unsupported(cmd, "-Swap: give -ActiveServers with the whole list")
	}
	if id := b.text("Identity"); b.has("Identity") && !strings.EqualFold(id, "PChatServerCollection") {
		if err := sh.poolIdentity(cmd, id); err != nil {
			return nil, err
		}
	}
	if !b.has("ActiveServers") {
		return nil, bindError(cmd, "MissingMandatoryParameter", "InvalidArgument",
			"Cannot process command because of one or more missing mandatory parameters: ActiveServers.")
	}
	list, _ := b["ActiveServers"].([]any)
	var active []string
	for _, v := range list {
		name, ok := sh.server(toText(v))
		if !ok {
			return nil, cmdletError(cmd, "InvalidServer", "InvalidArgument", toText(v), "System.ArgumentException",
				"%s is not a Persistent Chat server of pool %s. (lab: its servers are %s)", toText(v), sh.st.Pool, strings.Join(sh.st.Servers, ", "))
		}
		if !contains(active, name) {
			active = append(active, name)
		}
	}
	sh.st.ActiveServers = active
	sh.dirty = true
	return nil, nil
}

// server finds a Persistent Chat server by FQDN, any case.
func (sh *shell) server(name string) (string, bool) {
	for _, s := range sh.st.Servers {
		if strings.EqualFold(s, name) {
			return s, true
		}
	}
	return "", false
}

func contains(l []string, s string) bool {
	for _, e := range l {
		if e == s {
			return true
		}
	}
	return false
}

func getService(sh *shell, b bound, _ []any) ([]any, error) {
	if on, _ := b["PersistentChatServer"].(bool); !on || b.has("Identity") {
		return nil, unsupported("Get-CsService", "other roles than -PersistentChatServer")
	}
	if f := b.text("PoolFqdn"); f != "" && !strings.EqualFold(f, sh.st.Pool) {
		return nil, nil
	}
	var inactive []any
	for _, s := range sh.st.Servers {
		if !contains(sh.st.ActiveServers, s) {
			inactive = append(inactive, s)
		}
	}
	active := make([]any, len(sh.st.ActiveServers))
	for i, s := range sh.st.ActiveServers {
		active[i] = s
	}
	if inactive == nil {
		inactive = []any{}
	}
	return []any{newObject("Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer",
		"Identity", "PersistentChatServer:"+sh.st.Pool, "PoolFqdn", sh.st.Pool,
		"ActiveServers", active, "InactiveServers", inactive)}, nil
}
