<#
  Release check of the Beacon MSI (run by .github/workflows/release.yml on Windows):
  - it installs per machine (ALLUSERS=1) under the fixed UpgradeCode from electron-builder.yml;
  - it registers beacon:// under HKLM and creates %ProgramData%\Beacon with an administrators-only
    ACL (both added by build/msi-project-created.cjs);
  - it carries no resources\app-update.yml, so an MSI install never tries to update itself;
  - the Beacon.exe inside has the hardened fuses.
  Usage: pwsh scripts/packaging/inspect-msi.ps1 -Msi dist\Beacon-0.1.0.msi -UpgradeCode '{...}'
#>
param(
  [Parameter(Mandatory = $true)][string]$Msi,
  [Parameter(Mandatory = $true)][string]$UpgradeCode
)
$ErrorActionPreference = 'Stop'
$Msi = (Resolve-Path $Msi).Path

function Invoke-Member($target, [string]$name, [string]$kind, [object[]]$arguments) {
  $target.GetType().InvokeMember($name, [Reflection.BindingFlags]::$kind, $null, $target, $arguments)
}

function Get-MsiRows([string]$query, [int]$columns) {
  $installer = New-Object -ComObject WindowsInstaller.Installer
  $database = Invoke-Member $installer 'OpenDatabase' 'InvokeMethod' @($Msi, 0)
  $view = Invoke-Member $database 'OpenView' 'InvokeMethod' @($query)
  Invoke-Member $view 'Execute' 'InvokeMethod' @() | Out-Null
  $rows = @()
  while ($true) {
    $record = Invoke-Member $view 'Fetch' 'InvokeMethod' @()
    if ($null -eq $record) { break }
    $rows += , (1..$columns | ForEach-Object { Invoke-Member $record 'StringData' 'GetProperty' @($_) })
  }
  Invoke-Member $view 'Close' 'InvokeMethod' @() | Out-Null
  return $rows
}

$properties = @{}
foreach ($row in Get-MsiRows 'SELECT `Property`, `Value` FROM `Property`' 2) { $properties[$row[0]] = $row[1] }
if ($properties['ALLUSERS'] -ne '1') { throw "ALLUSERS is '$($properties['ALLUSERS'])', expected 1 (per-machine)" }
if ($properties['UpgradeCode'] -ne $UpgradeCode) { throw "UpgradeCode is $($properties['UpgradeCode']), expected $UpgradeCode" }
Write-Host "per-machine, UpgradeCode $UpgradeCode"

# Root 2 = HKEY_LOCAL_MACHINE in the MSI Registry table.
$registry = Get-MsiRows 'SELECT `Key`, `Name`, `Value` FROM `Registry` WHERE `Root` = 2' 3
$command = $registry | Where-Object { $_[0] -eq 'Software\Classes\beacon\shell\open\command' }
if (-not $command) { throw 'no HKLM Software\Classes\beacon\shell\open\command in the MSI' }
if (-not ($registry | Where-Object { $_[0] -eq 'Software\Classes\beacon' -and $_[1] -eq 'URL Protocol' })) { throw 'no "URL Protocol" value for beacon://' }
Write-Host "beacon:// command: $($command[2])"

$locks = Get-MsiRows 'SELECT `LockObject`, `Table`, `SDDLText` FROM `MsiLockPermissionsEx`' 3
$settingsLock = $locks | Where-Object { $_[0] -eq 'beaconMachineSettings' -and $_[1] -eq 'CreateFolder' }
if (-not $settingsLock) { throw 'no access list for %ProgramData%\Beacon (MsiLockPermissionsEx) in the MSI' }
Write-Host "%ProgramData%\Beacon ACL: $($settingsLock[2])"

# An administrative install unpacks the files without installing anything.
$contents = Join-Path $env:RUNNER_TEMP 'msi-contents'
$process = Start-Process msiexec.exe -ArgumentList @('/a', "`"$Msi`"", '/qn', "TARGETDIR=`"$contents`"") -Wait -PassThru
if ($process.ExitCode -ne 0) { throw "msiexec /a exited with $($process.ExitCode)" }
$exe = Get-ChildItem $contents -Recurse -Filter 'Beacon.exe' | Select-Object -First 1
if (-not $exe) { throw 'the MSI holds no Beacon.exe' }
$updateFeed = Get-ChildItem $contents -Recurse -Filter 'app-update.yml'
if ($updateFeed) { throw "the MSI contains $($updateFeed.FullName): MSI installs must not update themselves" }
Write-Host 'no app-update.yml in the MSI'

node scripts/packaging/check-fuses.ts $exe.FullName
if ($LASTEXITCODE -ne 0) { throw 'the MSI''s Beacon.exe does not have the configured fuses' }
