package pswrap

// prologue follows the header: preferences for the wrapper itself, UTF-8
// output (without a byte order mark, which .NET's Encoding.UTF8 would put
// before the first line), and the two functions that turn results and errors into JSON.
//
// ConvertTo-FailoverValue projects what a command wrote to plain data
// before ConvertTo-Json sees it: enums as their names (PoolState is an
// enum: ConvertTo-Json would write a number), dates as ISO 8601 UTC
// text, dictionaries and objects as mappings of their properties
// (without the PSComputerName, RunspaceId and PSShowComputerName that
// Invoke-Command adds), collections as lists, four levels deep; deeper
// values and other types as their text. A property whose getter throws
// is left out rather than failing the step after its work was done.
const prologue = `$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
[Console]::OutputEncoding = New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false
function ConvertTo-FailoverValue($Value, [int]$Depth) {
    if ($null -eq $Value) { return $null }
    if ($Value -is [string] -or $Value -is [char] -or $Value -is [guid]) { return [string]$Value }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [datetime]) { return $Value.ToUniversalTime().ToString('o') }
    if ($Value -is [bool] -or $Value -is [decimal] -or ($Value -is [ValueType] -and $Value.GetType().IsPrimitive)) { return $Value }
    if ($Value -is [ValueType] -or $Depth -ge 4) { return [string]$Value }
    if ($Value -is [System.Collections.IDictionary]) {
        $map = [ordered]@{}
        foreach ($key in $Value.Keys) { $map[[string]$key] = ConvertTo-FailoverValue $Value[$key] ($Depth + 1) }
        return $map
    }
    if ($Value -is [System.Collections.IEnumerable]) {
        return ,@(foreach ($item in $Value) { ConvertTo-FailoverValue $item ($Depth + 1) })
    }
    $map = [ordered]@{}
    foreach ($property in $Value.PSObject.Properties) {
        if ($property.Name -in 'PSComputerName', 'RunspaceId', 'PSShowComputerName') { continue }
        try { $map[$property.Name] = ConvertTo-FailoverValue $property.Value ($Depth + 1) } catch { }
    }
    return $map
}
function ConvertTo-FailoverError($Record) {
    $command = ''
    $position = ''
    if ($Record.InvocationInfo) {
        $position = [string]$Record.InvocationInfo.PositionMessage
        if ($Record.InvocationInfo.MyCommand) { $command = [string]$Record.InvocationInfo.MyCommand.Name }
    }
    $info = [ordered]@{
        message  = [string]$Record.Exception.Message
        type     = $Record.Exception.GetType().FullName
        error_id = [string]$Record.FullyQualifiedErrorId
        category = [string]$Record.CategoryInfo
        command  = $command
        target   = [string]$Record.TargetObject
        position = $position
    }
    return ConvertTo-Json -InputObject $info -Compress
}
`

// epilogue closes the script block, writes the result line and exits 0,
// or writes the error line and the error record and exits 1: the exit
// code of -EncodedCommand is not trusted alone (domain.md G.1).
const epilogue = `    })
    $values = @(foreach ($item in $result) { ConvertTo-FailoverValue $item 0 })
    $json = ConvertTo-Json -InputObject $values -Depth 12 -Compress
    [Console]::Out.WriteLine('<<<FAILOVER-JSON>>>' + $json + '<<<END>>>')
    exit 0
} catch {
    [Console]::Out.WriteLine('<<<FAILOVER-ERROR>>>' + (ConvertTo-FailoverError $_) + '<<<END>>>')
    [Console]::Error.WriteLine(($_ | Out-String))
    exit 1
}
`
