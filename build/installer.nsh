; Included by electron-builder's NSIS installer (nsis.include in electron-builder.yml).
; The MSI does the same through build/msi-project-created.cjs;
; test/packaging/protocol-registration.test.ts keeps the two equal.
;
; 1. beacon:// deep links for every user of the machine. Electron's app.setAsDefaultProtocolClient
;    only writes the current user's HKCU, which a per-machine install run by IT (silently, as
;    SYSTEM) never reaches.
; 2. %ProgramData%\Beacon, the folder of the machine-wide settings file (main/policy/machine.ts),
;    writable by administrators only. Beacon cannot check ACLs on Windows, and a folder created
;    under ProgramData would otherwise let any local user plant settings for every other user.
;    Well-known SIDs keep icacls independent of the Windows display language.

!macro customInstall
  WriteRegStr HKLM "Software\Classes\beacon" "" "URL:Beacon"
  WriteRegStr HKLM "Software\Classes\beacon" "URL Protocol" ""
  WriteRegStr HKLM "Software\Classes\beacon\DefaultIcon" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}",0'
  WriteRegStr HKLM "Software\Classes\beacon\shell\open\command" "" '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'

  Push $0
  Push $1
  ReadEnvStr $0 ProgramData
  CreateDirectory "$0\Beacon"
  ; Administrators own it (also when someone created it first), only SYSTEM and Administrators
  ; write, Users read; anything already inside inherits exactly that.
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$0\Beacon" /setowner *S-1-5-32-544 /T /C /Q'
  Pop $1
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$0\Beacon" /inheritance:r /grant:r *S-1-5-18:(OI)(CI)F *S-1-5-32-544:(OI)(CI)F *S-1-5-32-545:(OI)(CI)RX /Q'
  Pop $1
  nsExec::ExecToLog '"$SYSDIR\icacls.exe" "$0\Beacon\*" /reset /T /C /Q'
  Pop $1
  Pop $1
  Pop $0
!macroend

!macro customUnInstall
  ; An update runs the old uninstaller first; the new installer writes the keys again, but
  ; keeping them avoids a moment in which beacon:// links go nowhere. %ProgramData%\Beacon stays:
  ; it holds IT's settings, not Beacon's.
  ${ifNot} ${isUpdated}
    DeleteRegKey HKLM "Software\Classes\beacon"
  ${endIf}
!macroend
