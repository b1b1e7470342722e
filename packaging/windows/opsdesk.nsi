; Opsdesk for Windows: a per-user installer that needs no administrator.
; It installs into %LOCALAPPDATA%\Programs\Opsdesk, adds a Start-menu
; shortcut, registers the uninstaller in "Apps & features" (HKCU), and offers
; "Open with Opsdesk" for certificates and keystores. Built on Linux by
; scripts/dist.sh with Debian's makensis, which passes:
;   VERSION  "0.1.0"        from FyneApp.toml
;   BUILD    "1"            from FyneApp.toml
;   WEBSITE  the homepage   from FyneApp.toml
;   EXE      the opsdesk.exe to install (windowed: the Start menu, "Open with")
;   COM      the opsdesk.com to install beside it: the same program built for
;            the console, which cmd.exe and PowerShell prefer when the user
;            types "opsdesk", so the commands print there and are waited for
;   ROOT     the source tree (for the icon)
;   OUTFILE  the setup .exe to write

!ifndef VERSION | BUILD | WEBSITE | EXE | COM | ROOT | OUTFILE
  !error "run through scripts/dist.sh, which defines VERSION, BUILD, WEBSITE, EXE, COM, ROOT and OUTFILE"
!endif

!define APPNAME "Opsdesk"
!define APPID "io.opsdesk.app"
!define PUBLISHER "Opsdesk developers"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APPID}"
!define APPKEY "Software\${APPNAME}"
!define CLASSES "Software\Classes"
!define SHCNE_ASSOCCHANGED 0x08000000

; A 64-bit installer for a 64-bit program: it installs outside WOW64's file
; and registry redirection, and a 32-bit Windows, which could not run
; opsdesk.exe, refuses it at once.
Target amd64-unicode
ManifestDPIAware true
; Per-user: no UAC prompt, and everything below goes to the user's profile
; and HKCU.
RequestExecutionLevel user
SetCompressor /SOLID lzma
; A dictionary that holds both programs: opsdesk.com differs from opsdesk.exe
; in a few bytes, so in one solid block it costs almost nothing.
SetCompressorDictSize 64

Name "${APPNAME}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APPNAME}"
InstallDirRegKey HKCU "${APPKEY}" "InstallDir"
BrandingText "${APPNAME} ${VERSION}"

VIProductVersion "${VERSION}.${BUILD}"
VIFileVersion "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=1033 "ProductName" "${APPNAME}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION} (build ${BUILD})"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}.${BUILD}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APPNAME} Setup"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "© 2026 ${PUBLISHER}"

!include "MUI2.nsh"
!include "FileFunc.nsh"

!define MUI_ICON "${ROOT}/assets/icon.ico"
!define MUI_UNICON "${ROOT}/assets/icon.ico"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\opsdesk.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start ${APPNAME}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

; A file type that opens in Opsdesk. OpenWithProgids only adds Opsdesk to the
; "Open with" list: it does not take .cer away from Windows' own certificate
; viewer, and the user keeps the choice of default.
!macro OpenWith EXT PROGID
  WriteRegStr HKCU "${CLASSES}\${EXT}\OpenWithProgids" "${PROGID}" ""
  WriteRegStr HKCU "${CLASSES}\Applications\opsdesk.exe\SupportedTypes" "${EXT}" ""
!macroend
!macro UnOpenWith EXT PROGID
  DeleteRegValue HKCU "${CLASSES}\${EXT}\OpenWithProgids" "${PROGID}"
  DeleteRegKey /ifempty HKCU "${CLASSES}\${EXT}\OpenWithProgids"
  DeleteRegKey /ifempty HKCU "${CLASSES}\${EXT}"
!macroend
!macro ProgID PROGID DESCRIPTION
  WriteRegStr HKCU "${CLASSES}\${PROGID}" "" "${DESCRIPTION}"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\DefaultIcon" "" "$INSTDIR\opsdesk.exe,0"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\shell\open" "" "Open with ${APPNAME}"
  WriteRegStr HKCU "${CLASSES}\${PROGID}\shell\open\command" "" '"$INSTDIR\opsdesk.exe" "%1"'
!macroend

Section "Opsdesk" SecMain
  SectionIn RO
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "/oname=opsdesk.exe" "${EXE}"
  File "/oname=opsdesk.com" "${COM}"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateShortCut "$SMPROGRAMS\${APPNAME}.lnk" "$INSTDIR\opsdesk.exe" "" "$INSTDIR\opsdesk.exe" 0 \
    SW_SHOWNORMAL "" "Certificates and Java keystores for SAP Cloud Integration"

  WriteRegStr HKCU "${APPKEY}" "InstallDir" "$INSTDIR"
  ; Lets Win+R and "start opsdesk" find it without touching PATH.
  WriteRegStr HKCU "Software\Microsoft\Windows\CurrentVersion\App Paths\opsdesk.exe" "" "$INSTDIR\opsdesk.exe"

  ; "Apps & features" lists the HKCU Uninstall key of a per-user install.
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayName" "${APPNAME}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\opsdesk.exe,0"
  WriteRegStr HKCU "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTKEY}" "URLInfoAbout" "${WEBSITE}"
  WriteRegStr HKCU "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKCU "${UNINSTKEY}" "EstimatedSize" $0

  WriteRegStr HKCU "${CLASSES}\Applications\opsdesk.exe" "FriendlyAppName" "${APPNAME}"
  WriteRegStr HKCU "${CLASSES}\Applications\opsdesk.exe\shell\open\command" "" '"$INSTDIR\opsdesk.exe" "%1"'
  !insertmacro ProgID "Opsdesk.Certificate" "Certificate"
  !insertmacro ProgID "Opsdesk.Keystore" "Java keystore"
  !insertmacro OpenWith ".cer" "Opsdesk.Certificate"
  !insertmacro OpenWith ".crt" "Opsdesk.Certificate"
  !insertmacro OpenWith ".pem" "Opsdesk.Certificate"
  !insertmacro OpenWith ".der" "Opsdesk.Certificate"
  !insertmacro OpenWith ".p7b" "Opsdesk.Certificate"
  !insertmacro OpenWith ".p7c" "Opsdesk.Certificate"
  !insertmacro OpenWith ".zip" "Opsdesk.Certificate"
  !insertmacro OpenWith ".jks" "Opsdesk.Keystore"
  !insertmacro OpenWith ".p12" "Opsdesk.Keystore"
  !insertmacro OpenWith ".pfx" "Opsdesk.Keystore"
  !insertmacro OpenWith ".keystore" "Opsdesk.Keystore"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd

; Removes what the installer wrote, and nothing of the user's: keystores and
; settings stay where the user keeps them.
Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APPNAME}.lnk"
  Delete "$INSTDIR\opsdesk.exe"
  Delete "$INSTDIR\opsdesk.com"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; %LOCALAPPDATA%\Programs, which the installer made if it was not there:
  ; removed only when empty, so other programs' installs stay.
  RMDir "$LOCALAPPDATA\Programs"

  !insertmacro UnOpenWith ".cer" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".crt" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".pem" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".der" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".p7b" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".p7c" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".zip" "Opsdesk.Certificate"
  !insertmacro UnOpenWith ".jks" "Opsdesk.Keystore"
  !insertmacro UnOpenWith ".p12" "Opsdesk.Keystore"
  !insertmacro UnOpenWith ".pfx" "Opsdesk.Keystore"
  !insertmacro UnOpenWith ".keystore" "Opsdesk.Keystore"
  DeleteRegKey HKCU "${CLASSES}\Opsdesk.Certificate"
  DeleteRegKey HKCU "${CLASSES}\Opsdesk.Keystore"
  DeleteRegKey HKCU "${CLASSES}\Applications\opsdesk.exe"
  DeleteRegKey HKCU "Software\Microsoft\Windows\CurrentVersion\App Paths\opsdesk.exe"
  DeleteRegKey HKCU "${UNINSTKEY}"
  DeleteRegKey HKCU "${APPKEY}"
  System::Call 'shell32::SHChangeNotify(i ${SHCNE_ASSOCCHANGED}, i 0, p 0, p 0)'
SectionEnd
