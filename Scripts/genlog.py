#!/usr/bin/env python3
"""Write a large synthetic AIB customization.log for benchmarks.

Usage: genlog.py OUT_PATH SIZE_MB [--seed N]        (SIZE_MB is 10^6 bytes; default seed 42)

The output is deterministic for a given seed, size and Python version (it uses
random.Random). It is built from the line shapes of real customization.log files:

* one operation id on every line, `[<opid>] PACKER ...`;
* both formats: the new `PACKER <ts> ui: ==> azure-arm: ...` / `PACKER <ts> <plugin> plugin: <ts> ...`
  form (the start-up, the end and about 70% of the customizer sections) and the old
  `PACKER OUT ...` / `PACKER ERR <ts> ...` form (the other sections);
* plugin debug lines with an inner timestamp, `packer-provisioner-powershell plugin: Found command:`
  echoes of inline scripts, elevated-wrapper uploads, `exited with code: 0` sequences;
* remote output: Write-Host banners, winget, Chocolatey, npm, pip, apt/dpkg, Windows Update;
* PowerShell error records (`At C:\\...ps1:6 char:9`, `+ CategoryInfo`, `+ FullyQualifiedErrorId`),
  most of them non-fatal noise, as in real logs;
* WinRM `401 - invalid content type` retry bursts (normal while a VM boots or restarts);
* ARM request URLs (long lines), about one 5-50 KB line per 10 MB, and one line over 1 MiB per
  500 MB (at least one);
* about 5% CRLF lines (Windows output only), non-ASCII (U+2014, curly quotes, box drawing) and a
  few lines with invalid UTF-8 bytes;
* rare failure lines copied from the real corpus (about 0.1% of lines);
* a failing last customizer (a PowerShell parser error), cleanup, the error summary and
  `Done exporting Packer logs to Azure Storage.`

It is a mix of line shapes for measuring speed and memory, not one coherent build: Windows and
Linux customizers, and both log formats, alternate in one file.

Speed: blocks of lines are rendered once per variant (both formats, LF and CRLF), then drawn at
random; the timestamp is a one-byte placeholder filled with bytes.replace, and output goes out
in 16 MB writes.
"""

import argparse
import base64
import calendar
import random
import sys
import time

TS = "\x01"  # placeholder for "YYYY/MM/DD HH:MM:SS"
TSB = b"\x01"

NEW, OLD = 0, 1

# Line kinds (how a text is wrapped in each format).
SAY = "say"  # builder/provisioner say line: ==> azure-arm:
OUT = "out"  # 4-space remote output (Linux style, and old logs)
ROUT = "rout"  # Windows remote output: ==> in new logs (2026), 4-space in old logs
UIERR = "uierr"  # ui error: <text>
CORE = "core"  # packer core debug line
AZ = "az"  # azure builder plugin debug line with an inner timestamp
PS = "prov:powershell"
WR = "prov:windows-restart"
FILE = "prov:file"
SHELL = "prov:shell"
BARE = "bare"  # PACKER <text> without timestamp (new) / PACKER OUT <text> (old)
ERRBARE = "errbare"  # old: PACKER ERR <text> without timestamp; new: PACKER <text>

AZ_NEW = "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: "
AZ_OLD = "packer-plugin-azure plugin: "


def render_line(kind, text, fmt):
    if fmt == NEW:
        if kind in (SAY, ROUT):
            return "PACKER " + TS + " ui: ==> azure-arm: " + text
        if kind == OUT:
            return "PACKER " + TS + " ui:     azure-arm: " + text
        if kind == UIERR:
            return "PACKER " + TS + " ui error: " + text
        if kind == CORE:
            return "PACKER " + TS + " " + text
        if kind == AZ:
            return "PACKER " + TS + " " + AZ_NEW + TS + " " + text
        if kind.startswith("prov:"):
            return "PACKER " + TS + " packer-provisioner-" + kind[5:] + " plugin: " + text
        if kind in (BARE, ERRBARE):
            return "PACKER " + text
    else:
        if kind == SAY:
            return "PACKER OUT ==> azure-arm: " + text
        if kind in (OUT, ROUT):
            return "PACKER OUT     azure-arm: " + text
        if kind == UIERR or kind == BARE:
            return "PACKER OUT " + text
        if kind == ERRBARE:
            return "PACKER ERR " + text
        if kind == CORE:
            return "PACKER ERR " + TS + " " + text
        if kind == AZ:
            return "PACKER ERR " + TS + " " + AZ_OLD + TS + " " + text
        if kind.startswith("prov:"):
            return "PACKER ERR " + TS + " packer-provisioner-" + kind[5:] + " plugin: " + text
    raise ValueError(kind)


class Ctx:
    """Random helpers and the fixed identifiers of the synthetic build."""

    def __init__(self, rng):
        self.r = rng
        self.opid = self.uuid()
        self.sub = self.uuid()
        self.rg = "IT_rg-images_aib-win11-dev-1-0-0_" + self.uuid()
        self.suffix = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(11))
        self.prefix = "[" + self.opid + "] "

    def uuid(self):
        h = "%032x" % self.r.getrandbits(128)
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def psuuid(self):
        # Packer's time-based ids: 699a3576-1143-f714-692a-a6b21ae1c896
        h = "%032x" % self.r.getrandbits(128)
        return "699%s-%s-%s-%s-%s" % (h[:5], h[8:12], h[12:16], h[16:20], h[20:])

    def ver(self):
        r = self.r
        return "%d.%d.%d" % (r.randint(0, 12), r.randint(0, 40), r.randint(0, 30))

    def pick(self, seq):
        return seq[self.r.randrange(len(seq))]


# --------------------------------------------------------------------------------------------
# Vocabulary

APPS = [
    ("Node.js", "node-v24.13.1-x64.msi", "https://nodejs.org/dist/v24.13.1/node-v24.13.1-x64.msi"),
    ("Python", "python-3.14.3-amd64.exe", "https://www.python.org/ftp/python/3.14.3/python-3.14.3-amd64.exe"),
    ("PowerShell 7", "PowerShell-7.4.13-win-x64.msi", "https://github.com/PowerShell/PowerShell/releases/download/v7.4.13/PowerShell-7.4.13-win-x64.msi"),
    ("Git", "Git-2.48.1-64-bit.exe", "https://github.com/git-for-windows/git/releases/download/v2.48.1.windows.1/Git-2.48.1-64-bit.exe"),
    ("Visual Studio Code", "VSCodeSetup-x64-1.97.2.exe", "https://update.code.visualstudio.com/1.97.2/win32-x64/stable"),
    ("Azure CLI", "azure-cli-2.69.0-x64.msi", "https://azcliprod.blob.core.windows.net/msi/azure-cli-2.69.0-x64.msi"),
    ("7-Zip", "7z2409-x64.msi", "https://www.7-zip.org/a/7z2409-x64.msi"),
    ("Microsoft Teams", "MSTeams-x64.msix", "https://go.microsoft.com/fwlink/?linkid=2196106"),
    ("FSLogix", "FSLogix_Apps_2.9.8884.27471.zip", "https://download.microsoft.com/download/c/4/4/c44313c5-f04a-4034-8a22-967481b23975/FSLogix_Apps_2.9.8884.27471.zip"),
    ("Notepad++", "npp.8.7.7.Installer.x64.exe", "https://github.com/notepad-plus-plus/notepad-plus-plus/releases/download/v8.7.7/npp.8.7.7.Installer.x64.exe"),
]
WINGET = [
    ("Microsoft Visual Studio Code", "Microsoft.VisualStudioCode"), ("Git", "Git.Git"),
    ("Microsoft PowerToys", "Microsoft.PowerToys"), ("Foundry Local", "Microsoft.FoundryLocal"),
    ("Google Chrome", "Google.Chrome"), ("Mozilla Firefox (en-US)", "Mozilla.Firefox"),
    ("Microsoft .NET SDK 9.0", "Microsoft.DotNet.SDK.9"), ("Docker Desktop", "Docker.DockerDesktop"),
    ("Adobe Acrobat Reader DC (64-bit)", "Adobe.Acrobat.Reader.64-bit"), ("WinMerge", "WinMerge.WinMerge"),
]
CHOCO = ["git.install", "googlechrome", "7zip.install", "vscode", "notepadplusplus.install", "putty.install",
         "python314", "nodejs-lts", "azure-cli", "sysinternals", "dotnet-9.0-sdk", "jre8", "firefox", "winscp"]
NPM = ["npmlog", "are-we-there-yet", "gauge", "tar", "glob", "rimraf", "inflight", "node-domexception",
       "uuid", "har-validator", "request", "querystring", "core-js", "source-map-url", "urix", "resolve-url"]
PIP = ["requests", "urllib3", "idna", "certifi", "charset-normalizer", "azure-identity", "azure-core",
       "msal", "cryptography", "cffi", "pycparser", "numpy", "pandas", "python-dateutil", "six", "pyyaml",
       "typing-extensions", "packaging", "setuptools", "wheel", "onnxruntime", "protobuf"]
APT = ["libgpg-error0", "libexception-class-perl", "liberror-perl", "libssl3", "libcurl4", "curl", "git",
       "git-man", "unzip", "jq", "libonig5", "libjq1", "python3-pip", "python3-setuptools", "python3-wheel",
       "build-essential", "gcc-11", "g++-11", "libc6-dev", "linux-libc-dev", "make", "dpkg-dev",
       "libdpkg-perl", "fakeroot", "libfakeroot", "libalgorithm-diff-perl", "manpages-dev", "azure-cli",
       "docker-ce", "containerd.io", "libltdl7", "pigz", "libsystemd0", "libudev1", "libapparmor1"]
WU = [
    "2025-01 Cumulative Update for Windows 11 Version 24H2 for x64-based Systems (KB5050009)",
    "2025-01 Cumulative Update for .NET Framework 3.5 and 4.8.1 for Windows 11, version 24H2 for x64 (KB5050187)",
    "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.423.112.0) - Current Channel (Broad)",
    "Windows Malicious Software Removal Tool x64 - v5.131 (KB890830)",
    "Update for Microsoft Defender Antivirus antimalware platform - KB4052623 (Version 4.18.24090.11) - Current Channel (Broad)",
    "2025-02 Cumulative Update Preview for Windows 11 Version 24H2 for x64-based Systems (KB5052093)",
]
PS_SRC = [
    '$ErrorActionPreference = "Stop"',
    '$ProgressPreference = "SilentlyContinue"',
    "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType]::Tls12",
    'Write-Host "=== Installing {app} {ver} ==="',
    '$Installer = "$env:TEMP\\{file}"',
    'Get-InstallerWithRetry -Uri "{url}" -OutFile $Installer',
    '$proc = Start-Process -FilePath "msiexec.exe" -ArgumentList "/i `"$Installer`" /qn /norestart" -Wait -PassThru',
    'if ($proc.ExitCode -ne 0) { Write-Error "{app} installation failed ($($proc.ExitCode))"; exit 1 }',
    "winget install --id {wid} --exact --silent --accept-package-agreements --accept-source-agreements --disable-interactivity",
    'if ($LASTEXITCODE -ne 0 -and $LASTEXITCODE -ne -1978335189) { throw "{app} install failed \u2013 winget exit code: $LASTEXITCODE" }',
    "choco install {choco} -y --no-progress",
    "npm install -g {npm}@{ver}",
    "python -m pip install --upgrade {pip}=={ver}",
    'Set-ItemProperty -Path "HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU" -Name "NoAutoUpdate" -Value 1 -Type DWord',
    'New-Item -ItemType Directory -Force -Path "C:\\BuildArtifacts\\{app}" | Out-Null',
    "Remove-Item -Path $Installer -Force -ErrorAction SilentlyContinue",
    "# \u2550\u2550\u2550 {APP} \u2550\u2550\u2550",
    'Write-Host "[VERIFY] {app}: $(& {exe} --version)"',
    'Write-Host "Configuring {app} \u2014 this can take a few minutes"',
    "try {",
    "} catch {",
    '    Write-Error "An error occurred: $_"',
    "}",
    "Update-SessionEnvironment",
    "",
]


# --------------------------------------------------------------------------------------------
# Block generators: each returns (lines, is_windows_output). A line is (kind, text).

def b_ps_output(c, fmt):
    r = c.r
    app, f, url = c.pick(APPS)
    v = c.ver()
    L = [(ROUT, "=== Installing %s %s ===" % (app, v))]
    for a in range(1, r.randint(1, 2) + 1):
        L.append((ROUT, "[DOWNLOAD] Attempt %d of 3: %s" % (a, url)))
    L.append((ROUT, "[DOWNLOAD] Downloaded %d bytes in %.1fs" % (r.randint(10**5, 4 * 10**8), r.uniform(0.4, 90))))
    L.append((ROUT, "[INTEGRITY] SHA256 verified for %s" % f))
    L.append((ROUT, "[INSTALL] Running msiexec /i %s /qn /norestart" % f))
    for _ in range(r.randint(0, 6)):
        L.append((ROUT, "[INSTALL] %s: %s" % (app, c.pick([
            "Copying new files", "Registering product", "Writing system registry values",
            "Creating shortcuts", "Publishing product information", "Removing backup files",
            "Updating component registration", "Configuring \u201c%s\u201d \u2014 please wait" % app]))))
    L.append((ROUT, "[INSTALL] %s installed (exit code 0)" % app))
    L.append((ROUT, "[PATH] Session environment refreshed"))
    L.append((ROUT, "[VERIFY] %s: %s" % (app, v)))
    if r.random() < 0.3:
        L.append((ROUT, "Copyright (C) Microsoft Corporation. All rights reserved."))
    if r.random() < 0.2:
        L.append((ROUT, "\u2018%s\u2019 is ready \u2014 elapsed %02d:%02d" % (app, r.randint(0, 9), r.randint(0, 59))))
    return L, True


def b_winget(c, fmt):
    r = c.r
    name, wid = c.pick(WINGET)
    v = c.ver()
    total = r.uniform(5, 900)
    L = [(ROUT, "Found %s [%s] Version %s" % (name, wid, v)),
         (ROUT, "This application is licensed to you by its owner."),
         (ROUT, "Microsoft is not responsible for, nor does it grant any licenses to, third-party packages."),
         (ROUT, "Downloading https://download.example-cdn.net/%s/%s/%s-x64.msi" % (wid, v, wid.split(".")[-1]))]
    for i in range(r.randint(1, 8)):
        frac = min(1.0, (i + 1) / 8.0)
        bar = "\u2588" * int(30 * frac) + "\u2592" * (30 - int(30 * frac))
        L.append((ROUT, "  %s  %.1f MB / %.1f MB" % (bar, total * frac, total)))
    L += [(ROUT, "Successfully verified installer hash"), (ROUT, "Starting package install..."),
          (ROUT, "Successfully installed")]
    return L, True


def b_choco(c, fmt):
    r = c.r
    pk = c.pick(CHOCO)
    v = c.ver()
    L = [(ROUT, "Chocolatey v2.4.3"), (ROUT, "Installing the following packages:"), (ROUT, pk),
         (ROUT, "By installing, you accept licenses for the packages."),
         (ROUT, "Downloading package from source 'https://community.chocolatey.org/api/v2/'"),
         (ROUT, "Progress: Downloading %s %s... 100%%" % (pk, v)), (ROUT, ""),
         (ROUT, "%s v%s [Approved]" % (pk, v)),
         (ROUT, "%s package files install completed. Performing other installation steps." % pk)]
    for _ in range(r.randint(0, 4)):
        L.append((ROUT, "Downloading %s 64 bit" % pk))
        L.append((ROUT, "  from 'https://github.com/example/%s/releases/download/v%s/%s-%s-64-bit.exe'" % (pk, v, pk, v)))
    L += [(ROUT, "Installing %s..." % pk), (ROUT, "%s has been installed." % pk),
          (ROUT, " The install of %s was successful." % pk),
          (ROUT, "  Software installed to 'C:\\Program Files\\%s\\'" % pk.split(".")[0]), (ROUT, ""),
          (ROUT, "Chocolatey installed 1/1 packages. "),
          (ROUT, " See the log for details (C:\\ProgramData\\chocolatey\\logs\\chocolatey.log).")]
    return L, True


def b_npm(c, fmt):
    r = c.r
    L = []
    for _ in range(r.randint(1, 8)):
        p = c.pick(NPM)
        L.append((ROUT, "npm warn deprecated %s@%s: %s" % (p, c.ver(), c.pick([
            "This package is no longer supported.",
            "Use your platform's native DOMException instead",
            "Old versions of %s are not supported, and contain widely publicized security vulnerabilities, which have been fixed in the current version. Please update. Support for old versions may be purchased (at exorbitant rates) by contacting i@izs.me" % p,
            "Rimraf versions prior to v4 are no longer supported",
            "This module is not supported, and leaks memory. Do not use it."]))))
    n = r.randint(20, 900)
    L += [(ROUT, ""), (ROUT, "added %d packages, and audited %d packages in %ds" % (n, n + 1, r.randint(2, 300))),
          (ROUT, ""), (ROUT, "%d packages are looking for funding" % r.randint(1, 120)),
          (ROUT, "  run `npm fund` for details"), (ROUT, ""), (ROUT, "found 0 vulnerabilities")]
    if r.random() < 0.3:
        L += [(ROUT, "npm notice"), (ROUT, "npm notice New minor version of npm available! 11.8.0 -> 11.10.1"),
              (ROUT, "npm notice Changelog: https://github.com/npm/cli/releases/tag/v11.10.1"),
              (ROUT, "npm notice To update run: npm install -g npm@11.10.1"), (ROUT, "npm notice")]
    return L, True


def b_pip(c, fmt, linux=False):
    r = c.r
    kind = OUT if linux else ROUT
    site = "/usr/local/lib/python3.12/dist-packages" if linux else "c:\\program files\\python314\\lib\\site-packages"
    pk = c.pick(PIP)
    v = c.ver()
    L = [(kind, "Collecting %s==%s" % (pk, v)),
         (kind, "  Downloading %s-%s-py3-none-any.whl.metadata (%.1f kB)" % (pk.replace("-", "_"), v, r.uniform(1, 40)))]
    deps = []
    for _ in range(r.randint(1, 6)):
        d = c.pick(PIP)
        deps.append(d)
        L.append((kind, "Requirement already satisfied: %s>=%s in %s (from %s==%s) (%s)" % (d, c.ver(), site, pk, v, c.ver())))
    kb = r.randint(20, 9000)
    L.append((kind, "Downloading %s-%s-py3-none-any.whl (%d kB)" % (pk.replace("-", "_"), v, kb)))
    L.append((kind, "   " + "\u2501" * 40 + " %d/%d kB %.1f MB/s eta 0:00:00" % (kb, kb, r.uniform(1, 90))))
    L.append((kind, "Installing collected packages: " + ", ".join([pk] + deps[:2])))
    L.append((kind, "Successfully installed " + " ".join("%s-%s" % (p, c.ver()) for p in [pk] + deps[:2])))
    if linux and r.random() < 0.5:
        L.append((kind, "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting behaviour with the system package manager, possibly rendering your system unusable. It is recommended to use a virtual environment instead: https://pip.pypa.io/warnings/venv. Use the --root-user-action option if you know what you are doing and want to suppress this warning."))
    if r.random() < 0.3:
        L += [(kind, ""), (kind, "[notice] A new release of pip is available: 24.3.1 -> 25.0.1"),
              (kind, "[notice] To update, run: python -m pip install --upgrade pip")]
    return L, not linux


def b_pip_linux(c, fmt):
    return b_pip(c, fmt, linux=True)


def b_apt(c, fmt):
    r = c.r
    pk = [c.pick(APT) for _ in range(r.randint(3, 12))]
    L = []
    if r.random() < 0.4:
        for i, pocket in enumerate(["jammy", "jammy-updates", "jammy-backports", "jammy-security"]):
            L.append((OUT, "Hit:%d http://azure.archive.ubuntu.com/ubuntu %s InRelease" % (i + 1, pocket)))
        L.append((OUT, "Reading package lists..."))
    L += [(OUT, "Reading package lists..."), (OUT, "Building dependency tree..."), (OUT, "Reading state information..."),
          (OUT, "The following NEW packages will be installed:"), (OUT, "  " + " ".join(pk)),
          (OUT, "0 upgraded, %d newly installed, 0 to remove and %d not upgraded." % (len(pk), r.randint(0, 40))),
          (OUT, "Need to get %.1f MB of archives." % r.uniform(0.1, 90)),
          (OUT, "After this operation, %d MB of additional disk space will be used." % r.randint(1, 400))]
    vers = {}
    for i, p in enumerate(pk):
        v = "%d.%d-%dubuntu%d.%d" % (r.randint(0, 9), r.randint(0, 40), r.randint(0, 5), r.randint(0, 3), r.randint(0, 20))
        vers[p] = v
        L.append((OUT, "Get:%d http://azure.archive.ubuntu.com/ubuntu jammy-updates/main amd64 %s amd64 %s [%d kB]" % (i + 1, p, v, r.randint(5, 9000))))
    L.append((OUT, "debconf: unable to initialize frontend: Dialog"))
    L.append((OUT, "debconf: (TERM is not set, so the dialog frontend is not usable.)"))
    L.append((OUT, "debconf: falling back to frontend: Readline"))
    L.append((OUT, "Fetched %.1f MB in %ds (%.1f MB/s)" % (r.uniform(0.1, 90), r.randint(0, 20), r.uniform(1, 80))))
    for i, p in enumerate(pk):
        L.append((OUT, "Selecting previously unselected package %s:amd64." % p))
        L.append((OUT, "(Reading database ... %d files and directories currently installed.)" % r.randint(60000, 120000)))
        L.append((OUT, "Preparing to unpack .../%02d-%s_%s_amd64.deb ..." % (i, p, vers[p])))
        L.append((OUT, "Unpacking %s:amd64 (%s) ..." % (p, vers[p])))
    for p in pk:
        L.append((OUT, "Setting up %s:amd64 (%s) ..." % (p, vers[p])))
    L.append((OUT, "Processing triggers for libc-bin (2.35-0ubuntu3.8) ..."))
    L.append((OUT, "Processing triggers for man-db (2.10.2-1) ..."))
    return L, False


def b_winupdate(c, fmt):
    r = c.r
    L = [(ROUT, "Searching for Windows updates...")]
    n = r.randint(1, 6)
    total = 0.0
    for _ in range(n):
        mb = r.uniform(0.1, 900)
        total += mb
        L.append((ROUT, "Found Windows update (2025-%02d-%02d; %.2f MB): %s" % (r.randint(1, 12), r.randint(1, 28), mb, c.pick(WU))))
    if r.random() < 0.5:
        L.append((ROUT, "Skipped (filter) Windows update (2025-01-14; 0.50 MB): Microsoft - Printer - 10.0.26100.1"))
    L.append((ROUT, "Downloading Windows updates (%d updates; %.2f MB)..." % (n, total)))
    for _ in range(r.randint(1, 12)):
        L.append((ROUT, "Waiting for operation to complete (system performance: %d%% cpu; %d%% memory)..." % (r.randint(1, 100), r.randint(10, 90))))
    L.append((ROUT, "Installing Windows updates..."))
    return L, True


def b_remote_cmd(c, fmt):
    r = c.r
    cmd = c.pick([
        'powershell -command "node --version; python --version"',
        'powershell -command "& {Get-Service WinRM | Select-Object Status}"',
        'powershell -command "Get-ItemProperty HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Setup\\State"',
        "chmod +x /tmp/script_%d.sh; PACKER_BUILDER_TYPE='azure-arm' PACKER_BUILD_NAME='azure-arm'  /tmp/script_%d.sh" % ((r.randint(1000, 9999),) * 2),
        "powershell -executionpolicy bypass -file c:/Windows/Temp/packer-cleanup-%s.ps1" % c.psuuid(),
    ])
    n = r.randint(0, 9000)
    prov = SHELL if cmd.startswith("chmod") else PS
    L = [(AZ, "[INFO] starting remote command: " + cmd),
         (AZ, "[INFO] command '%s' exited with code: 0" % cmd),
         (AZ, "[INFO] RPC endpoint: Communicator ended with: 0"),
         (CORE, "[INFO] %d bytes written for 'stdout'" % n),
         (CORE, "[INFO] 0 bytes written for 'stderr'"),
         (CORE, "[INFO] RPC client: Communicator ended with: 0"),
         (CORE, "[INFO] RPC endpoint: Communicator ended with: 0"),
         (prov, "[INFO] %d bytes written for 'stdout'" % n),
         (prov, "[INFO] 0 bytes written for 'stderr'"),
         (prov, "[INFO] RPC client: Communicator ended with: 0")]
    return L, False


PS_ERRORS = [
    ("Get-ItemProperty : Cannot find path 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU' because it does not exist.",
     "$au = Get-ItemProperty -Path $AUPath -ErrorAction Continue",
     "ObjectNotFound: (HKLM:\\SOFTWARE\\...WindowsUpdate\\AU:String) [Get-ItemProperty], ItemNotFoundException",
     "PathNotFound,Microsoft.PowerShell.Commands.GetItemPropertyCommand"),
    ("Remove-Item : Cannot find path 'C:\\Windows\\Temp\\setup-cache' because it does not exist.",
     "Remove-Item -Path $CacheDir -Recurse -ErrorAction Continue",
     "ObjectNotFound: (C:\\Windows\\Temp\\setup-cache:String) [Remove-Item], ItemNotFoundException",
     "PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand"),
    ("Get-Service : Cannot find any service with service name 'gupdate'.",
     "Stop-Service (Get-Service gupdate) -ErrorAction Continue",
     "ObjectNotFound: (gupdate:String) [Get-Service], ServiceCommandException",
     "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand"),
    ("Set-MpPreference : You don\u2019t have enough permissions to perform the requested operation.",
     "Set-MpPreference -DisableRealtimeMonitoring $true",
     "PermissionDenied: (MSFT_MpPreference:root\\Microsoft\\...FT_MpPreference) [Set-MpPreference], CimException",
     "HRESULT 0xc0000142,Set-MpPreference"),
    ("Get-AppxPackage : The system cannot find the file specified.",
     "Get-AppxPackage -AllUsers *Xbox* | Remove-AppxPackage -ErrorAction Continue",
     "NotSpecified: (:) [Get-AppxPackage], FileNotFoundException",
     "System.IO.FileNotFoundException,Microsoft.Windows.Appx.PackageManager.Commands.GetAppxPackageCommand"),
]


def b_ps_error_record(c, fmt):
    r = c.r
    msg, code, cat, fq = c.pick(PS_ERRORS)
    col = r.randint(1, 30)
    L = [(ROUT, msg),
         (ROUT, "At C:\\Windows\\Temp\\script-%s.ps1:%d char:%d" % (c.psuuid(), r.randint(1, 400), col)),
         (ROUT, "+ " + code),
         (ROUT, "+ " + " " * (col - 1) + "~" * min(60, len(code))),
         (ROUT, "    + CategoryInfo          : " + cat),
         (ROUT, "    + FullyQualifiedErrorId : " + fq),
         (ROUT, "")]
    if r.random() < 0.5:
        L.append((ROUT, "[WARN] continuing \u2014 step is optional"))
    return L, True


def arm_url(c, r):
    kind = c.pick(["deployments/pkrdp%s/operationStatuses/08584%015d" % (c.suffix, r.randint(0, 10**15 - 1)),
                   "deployments/pkrdp%s" % c.suffix,
                   "providers/Microsoft.Compute/virtualMachines/pkrvm%s" % c.suffix,
                   "providers/Microsoft.Network/networkInterfaces/pkrni%s" % c.suffix,
                   "providers/Microsoft.Compute/disks/pkros%s" % c.suffix,
                   "providers/Microsoft.KeyVault/vaults/pkrkv%s" % c.suffix,
                   "deployments/kvpkrdp%s/operations" % c.suffix])
    if kind.startswith("deployments/"):
        kind = "providers/Microsoft.Resources/" + kind
    return "https://management.azure.com/subscriptions/%s/resourceGroups/%s/%s" % (c.sub, c.rg, kind)


def b_arm_poll(c, fmt):
    r = c.r
    L = []
    for _ in range(r.randint(1, 5)):
        u = arm_url(c, r)
        if fmt == NEW:
            L.append((AZ, "[DEBUG] %s %s?[REDACTED]" % (c.pick(["GET", "GET", "GET", "PUT", "DELETE"]), u)))
        else:
            q = "%s?api-version=2022-09-01" % u
            L.append((AZ, 'Azure request method="GET" request="%s" body=""' % q))
            L.append((AZ, 'Azure response status="200 OK" method="GET" request="%s" body="{\\"status\\":\\"Running\\"}"' % q))
    return L, False


def b_found_cmd(c, fmt):
    r = c.r
    L = []
    for _ in range(r.randint(3, 25)):
        app, f, url = c.pick(APPS)
        wname, wid = c.pick(WINGET)
        s = c.pick(PS_SRC)
        s = (s.replace("{app}", app).replace("{APP}", app.upper()).replace("{file}", f).replace("{url}", url)
             .replace("{ver}", c.ver()).replace("{wid}", wid).replace("{choco}", c.pick(CHOCO))
             .replace("{npm}", c.pick(NPM)).replace("{pip}", c.pick(PIP)).replace("{exe}", app.split()[0].lower()))
        if s:
            L.append((PS, "Found command: " + s))
    return L, False


def b_winrm401(c, fmt):
    # One retry (5 s apart in real logs; the generator advances the clock between blocks).
    if fmt == NEW:
        return [(AZ, "[INFO] Attempting WinRM connection..."),
                (AZ, "[ERROR] connection error: http response error: 401 - invalid content type"),
                (AZ, "[ERROR] WinRM connection err: http response error: 401 - invalid content type")], False
    return [(AZ, "[INFO] Attempting WinRM connection..."),
            (AZ, "[ERROR] WinRM connection err: http response error: 401 - invalid content type")], False


def b_bad_utf8(c, fmt):
    # Invalid UTF-8 via surrogateescape: "\udcXX" becomes the single byte 0xXX.
    return [(ROUT, c.pick([
        "Copyright \udca9 Microsoft Corporation. Tous droits r\udce9serv\udce9es.",
        "Installation termin\udce9e avec succ\udce8s",
        "\udcff\udcfeS\x00e\x00t\x00u\x00p\x00 log opened",
        "Cache path: C:\\Users\\Default\\AppData\\Local\\Caf\udce9\\cache",
        "Output truncated mid-character: \udce2\udc80",
    ]))], True


def b_long(c, fmt):
    """A 5-50 KB line: an ARM response body, a base64 payload echo, or a JSON config echo."""
    r = c.r
    target = r.randint(5_000, 50_000)
    k = r.randrange(3)
    if k == 0:
        parts = []
        n = 0
        while n < target:
            name = "pkr%s%d" % (c.suffix, len(parts))
            p = ('{\\"type\\":\\"Microsoft.Network/networkInterfaces\\",\\"apiVersion\\":\\"2022-09-01\\",\\"name\\":\\"%s\\",'
                 '\\"location\\":\\"westeurope\\",\\"properties\\":{\\"ipConfigurations\\":[{\\"name\\":\\"ipconfig\\",'
                 '\\"properties\\":{\\"privateIPAllocationMethod\\":\\"Dynamic\\",\\"subnet\\":{\\"id\\":\\"%s\\"}}}]}}' % (name, arm_url(c, r)))
            parts.append(p)
            n += len(p) + 1
        return [(AZ, 'Azure response status="200 OK" method="GET" request="%s?api-version=2022-09-01" body="{\\"properties\\":{\\"template\\":{\\"resources\\":[%s]}}}"'
                 % (arm_url(c, r), ",".join(parts)))], False
    if k == 1:
        b64 = base64.b64encode(r.randbytes(target * 3 // 4)).decode()
        return [(PS, "Found command: $payload = '%s'" % b64)], False
    items = []
    n = 0
    while n < target:
        it = '{"name":"%s","version":"%s","path":"C:\\\\Program Files\\\\%s","enabled":%s}' % (
            c.pick(PIP), c.ver(), c.pick(CHOCO), c.pick(["true", "false"]))
        items.append(it)
        n += len(it) + 1
    return [(ROUT, '[CONFIG] {"packages":[%s]}' % ",".join(items))], True


def huge_line(c, size):
    """A remote CLIXML progress blob longer than 1 MiB (one line)."""
    head = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    parts = [head]
    n = len(head)
    i = 0
    while n < size:
        p = ('<Obj S="progress" RefId="%d"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T>'
             '<T>System.Object</T></TN><MS><I64 N="SourceId">1</I64><PR N="Record"><AV>Preparing modules for first use.</AV>'
             '<AI>0</AI><Nil /><PI>-1</PI><PC>%d</PC><T>Processing</T><SR>-1</SR><SD> </SD></PR></MS></Obj>' % (i, i % 100))
        parts.append(p)
        n += len(p)
        i += 1
    parts.append("</Objs>")
    return [(ROUT, "#< CLIXML"), (ROUT, "".join(parts))]


# Failure lines copied from the real corpus (the message part; re-wrapped in the section's format).
FAILURES = [
    (OUT, "E: Could not open file /var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_focal-updates_main_i18n_Translation-en - open (2: No such file or directory)"),
    (OUT, "E: Could not open file /var/lib/apt/lists/archive.ubuntu.com_ubuntu_dists_focal_restricted_binary-amd64_Packages - open (2: No such file or directory)"),
    (SAY, "Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'."),
    (OUT, "IMAGE_STATE_UNDEPLOYABLE"),
    (CORE, "packer: " + TS + " [ERROR] Remote command exited with '1': chmod +x /tmp/script_9178.sh; PACKER_BUILDER_TYPE='azure-arm' PACKER_BUILD_NAME='azure-arm'  /tmp/script_9178.sh"),
    (OUT, "touch: cannot touch '/buildArtifacts/imageBuilder.md': Permission denied"),
    (OUT, "/tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found"),
    (ERRBARE, "* client_jwt will expire within 5 minutes, please use a JWT that is valid for at least 5 minutes"),
    (BARE, "Build 'azure-arm' errored: Timeout waiting for WinRM."),
    (CORE, 'machine readable: azure-arm,error []string{"Timeout waiting for WinRM."}'),
    (CORE, 'machine readable: azure-arm,error []string{"Timeout waiting for machine to restart."}'),
    (BARE, "--> azure-arm: Timeout waiting for machine to restart."),
    (SAY, "    + FullyQualifiedErrorId : MissingArrayIndexExpression"),
    (SAY, "    + FullyQualifiedErrorId : TerminatorExpectedAtEndOfString"),
    (SAY, "C:\\Windows\\Temp\\script-699a5adb-5afe-69de-66af-2b560ab06d93.ps1 : An error occurred: Not Found"),
    (SAY, "npm error npm error enoent This is related to npm not being able to find a file."),
    (SAY, "C:\\Windows\\Temp\\script-699b3928-c7eb-491b-51fc-5183095e810d.ps1 : OpenClaw npm install failed (1)"),
    (SAY, "C:\\Windows\\Temp\\script-699b416e-5c84-52b2-1e33-a73b7b5d5983.ps1 : An error occurred: npm warn using --force"),
    (UIERR, "Cancelling build after receiving terminated"),
    (CORE, "packer: " + TS + ' Azure response status="400 Bad Request" method="POST" body="{\\"error\\":{\\"code\\":\\"InvalidTemplateDeployment\\",\\"message\\":\\"The template deployment \'pkrdpyew5c23775\' is not valid according to the validation procedure. The tracking id is \'a5935223-a591-4e73-b9db-5a1aefc6e9d2\'. See inner errors for details.\\",\\"details\\":[{\\"code\\":\\"QuotaExceeded\\",\\"message\\":\\"The operation couldn\'t be completed as it results in exceeding quota limit of standardDv2Family Cores. Maximum allowed: 10, Current in use: 22, Additional requested: 1. Read more about quota limits at https://aka.ms/AzurePerVMQuotaLimits.\\"}]}}"'),
    (UIERR, "==> azure-arm: A system shutdown has already been scheduled.(1190)"),
    (AZ, "[INFO] command 'shutdown /r /f /t 60 /c \"packer restart test\"' exited with code: 1190"),
    (PS, "c:/Windows/Temp/script-699a3576-1143-f714-692a-a6b21ae1c896.ps1 returned with exit code 1"),
    (AZ, "[INFO] command 'powershell -executionpolicy bypass \"& { if (Test-Path variable:global:ProgressPreference){set-variable -name variable:global:ProgressPreference -value 'SilentlyContinue'};. c:/Windows/Temp/packer-ps-env-vars-5f956214-25da-5cf3-b8fc-7ad7300de06c.ps1; &'c:/Windows/Temp/script-5f956214-04e3-8ede-cb7f-c35c82877b9e.ps1'; exit $LastExitCode }\"' exited with code: 16001"),
    (CORE, "[ERROR] Failed while waiting for packerizer: Timeout waiting for microservice to"),
    (UIERR, "Build 'azure-arm' errored after 3 minutes 42 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"),
]


def b_failure(c, fmt):
    return [c.pick(FAILURES)], False


# Body mixes: block generator -> target share of *lines* in that section type.
MIX_WINDOWS = {
    b_ps_output: 0.30, b_winget: 0.12, b_choco: 0.12, b_npm: 0.10, b_pip: 0.08,
    b_remote_cmd: 0.10, b_found_cmd: 0.10, b_arm_poll: 0.04, b_ps_error_record: 0.01,
    b_winrm401: 0.005,
}
MIX_LINUX = {
    b_apt: 0.55, b_pip_linux: 0.20, b_npm: 0.07, b_remote_cmd: 0.10, b_arm_poll: 0.05, b_found_cmd: 0.03,
}
MIX_WU = {
    b_winupdate: 0.60, b_remote_cmd: 0.15, b_winrm401: 0.03, b_ps_output: 0.17, b_arm_poll: 0.05,
}
RARE = {b_failure: 0.001, b_long: 1.25e-5, b_bad_utf8: 5e-6}

VARIANTS = 256
LONG_VARIANTS = 24


class Renderer:
    def __init__(self, ctx):
        self.c = ctx
        self.prefix = ctx.prefix

    def lines_to_bytes(self, lines, fmt, crlf):
        eol = "\r\n" if crlf else "\n"
        s = "".join(self.prefix + render_line(k, t, fmt) + eol for k, t in lines)
        return s.encode("utf-8", "surrogateescape")


class Pool:
    """Pre-rendered variants of one block type: [fmt][crlf] -> list of bytes; plus line counts."""

    def __init__(self, gen, ctx, rend, n):
        self.by = {NEW: ([], []), OLD: ([], [])}
        self.windows = False
        tot_lines = 0
        tot_bytes = 0
        for fmt in (NEW, OLD):
            for _ in range(n):
                lines, win = gen(ctx, fmt)
                self.windows = self.windows or win
                lf = rend.lines_to_bytes(lines, fmt, False)
                self.by[fmt][0].append(lf)
                self.by[fmt][1].append(rend.lines_to_bytes(lines, fmt, True) if win else lf)
                tot_lines += len(lines)
                tot_bytes += len(self.by[fmt][0][-1])
        self.avg_lines = tot_lines / (2.0 * n)
        self.avg_bytes = tot_bytes / (2.0 * n)
        self.n = n


def main():
    ap = argparse.ArgumentParser(description="Write a synthetic AIB customization.log of about SIZE_MB MB.")
    ap.add_argument("out")
    ap.add_argument("size_mb", type=float)
    ap.add_argument("--seed", type=int, default=42)
    a = ap.parse_args()
    target = int(a.size_mb * 1_000_000)
    rng = random.Random(a.seed)
    c = Ctx(rng)
    rend = Renderer(c)
    t0 = time.time()

    gens = set(MIX_WINDOWS) | set(MIX_LINUX) | set(MIX_WU) | set(RARE)
    pools = {}
    for g in sorted(gens, key=lambda f: f.__name__):
        pools[g] = Pool(g, c, rend, LONG_VARIANTS if g is b_long else VARIANTS)

    def mix_table(mix):
        shares = dict(mix)
        base = sum(shares.values())
        for g, s in RARE.items():
            shares[g] = s * base / (1 - sum(RARE.values()))
        gl = sorted(shares, key=lambda f: f.__name__)
        w = [shares[g] / pools[g].avg_lines for g in gl]
        exp_lines = sum(wi * pools[g].avg_lines for wi, g in zip(w, gl)) / sum(w)
        exp_bytes = sum(wi * pools[g].avg_bytes for wi, g in zip(w, gl)) / sum(w)
        # CRLF: ~5% of all lines, applied to Windows output blocks only.
        win_lines = sum(wi * pools[g].avg_lines for wi, g in zip(w, gl) if pools[g].windows)
        all_lines = sum(wi * pools[g].avg_lines for wi, g in zip(w, gl))
        p_crlf = min(1.0, 0.05 * all_lines / win_lines) if win_lines else 0.0
        return gl, w, exp_lines, exp_bytes, p_crlf

    tables = {"powershell": mix_table(MIX_WINDOWS), "shell": mix_table(MIX_LINUX),
              "windows-update": mix_table(MIX_WU)}

    # Clock: start at a fixed date; the whole file spans about 10 hours at 100 MB and above.
    clock = [calendar.timegm((2026, 2, 21, 22, 45, 10, 0, 0, 0))]
    span = 600 + 35400 * min(1.0, target / 100e6)
    cache = {"t": None, "b": b""}

    def ts():
        t = clock[0]
        if cache["t"] != t:
            cache["t"] = t
            cache["b"] = time.strftime("%Y/%m/%d %H:%M:%S", time.gmtime(t)).encode()
        return cache["b"]

    out = open(a.out, "wb", buffering=0)
    buf = []
    bufn = [0]
    written = [0]
    FLUSH = 16 << 20

    def emit(b):
        buf.append(b)
        bufn[0] += len(b)
        if bufn[0] >= FLUSH:
            out.write(b"".join(buf))
            written[0] += bufn[0]
            buf.clear()
            bufn[0] = 0

    def size():
        return written[0] + bufn[0]

    def emit_lines(lines, fmt, crlf=False):
        emit(rend.lines_to_bytes(lines, fmt, crlf).replace(TSB, ts()))

    def tick(n=1):
        clock[0] += n

    # Huge lines (> 1 MiB) at fixed fractions of the file.
    n_huge = max(1, int(round(a.size_mb / 500.0)))
    huge_at = sorted((i + 0.4) / n_huge * target for i in range(n_huge))
    huge_sizes = [int((1.2 + 0.7 * (i % 3)) * (1 << 20)) for i in range(n_huge)]

    # ---------------------------------------------------------------- prologue (new format)
    P = []
    P += [(CORE, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
          (CORE, "[INFO] PACKER_CONFIG env var not set; checking the default config file path"),
          (CORE, "[INFO] PACKER_CONFIG env var set; attempting to open config file: /root/.packerconfig"),
          (CORE, "[WARN] Config file doesn't exist: /root/.packerconfig"),
          (CORE, "[INFO] Setting cache directory: /root/.cache/packer"),
          (BARE, "e: Running in background, not using a TTY"),
          (CORE, "[INFO] found external [arm chroot dtl] builders from azure plugin"),
          (CORE, "[INFO] Starting external plugin /root/.config/packer/plugins/github.com/hashicorp/azure/packer-plugin-azure_v2.5.1_x5.0_linux_amd64 start builder --protobuf arm"),
          (AZ, "Plugin address: unix /tmp/packer-plugin1254224969"),
          (AZ, "Serving a plugin connection..."),
          (AZ, "[TRACE] starting builder arm")]
    for prov in ("file", "powershell", "powershell", "windows-restart", "powershell", "shell"):
        P += [(CORE, "[INFO] Starting external plugin /aib/packerInput/packer execute --protobuf packer-provisioner-" + prov),
              (CORE, 'Starting plugin: /aib/packerInput/packer []string{"/aib/packerInput/packer", "execute", "--protobuf", "packer-provisioner-%s"}' % prov),
              ("prov:" + prov, "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
              ("prov:" + prov, "Plugin address: unix /tmp/packer-plugin%d" % rng.randint(10**8, 4 * 10**9)),
              ("prov:" + prov, "Serving a plugin connection...")]
    P += [(CORE, "Preparing build: azure-arm"), (CORE, "ui: azure-arm: output will be in this color."),
          (CORE, "Build debug mode: false"), (CORE, "Force build: false"), (CORE, "On error: cleanup"),
          (CORE, "Waiting on builds to complete..."), (CORE, "Starting build run: azure-arm"),
          (CORE, "Running builder: azure-arm"), (AZ, ":: Configuration")]
    for kv in ["CaptureContainerName=", "ImagePublisher=MicrosoftWindowsDesktop", "ImageOffer=windows-11",
               "ImageSku=win11-24h2-avd", "ImageVersion=latest", "VMSize=Standard_D4s_v5",
               "ManagedImageResourceGroupName=" + c.rg, "VirtualNetworkResourceGroupName=" + c.rg,
               "OSType=Windows", "DiskCachingType=None", "Password=********************************"]:
        P.append((AZ, kv))
    P += [(AZ, "[DEBUG] POST https://login.microsoftonline.com/%s/oauth2/v2.0/token" % c.uuid()),
          (SAY, "Running builder ..."), (SAY, "Creating Azure Resource Manager (ARM) client ..."),
          (SAY, "ARM Client successfully created"), (SAY, "Getting source image id for the deployment ..."),
          (SAY, "Using existing resource group ..."), (SAY, " -> ResourceGroupName : '%s'" % c.rg),
          (SAY, " -> Location          : 'westeurope'"), (SAY, "Validating deployment template ..."),
          (SAY, " -> DeploymentName    : 'kvpkrdp%s'" % c.suffix), (SAY, "Deploying deployment template ..."),
          (SAY, "Getting the certificate\u2019s URL ..."), (SAY, " -> Key Vault Name        : 'pkrkv%s'" % c.suffix),
          (SAY, " -> Certificate URL       : 'https://pkrkv%s.vault.azure.net/secrets/packerKeyVaultSecret/%032x'" % (c.suffix, rng.getrandbits(128))),
          (SAY, "Setting the certificate's URL ..."), (SAY, "Validating deployment template ..."),
          (SAY, " -> DeploymentName    : 'pkrdp%s'" % c.suffix), (SAY, "Deploying deployment template ...")]
    emit_lines(P, NEW)
    for _ in range(40):
        tick(rng.randint(5, 20))
        emit_lines([(AZ, "[DEBUG] GET %s?[REDACTED]" % arm_url(c, rng))], NEW)
    emit_lines([(SAY, "Getting the VM's IP address ..."), (SAY, " -> NicName             : 'pkrni%s'" % c.suffix),
                (SAY, " -> IP Address          : '10.0.1.4'"), (SAY, "Waiting for WinRM to become available..."),
                (AZ, "Waiting for WinRM, up to timeout: 30m0s")], NEW)
    for _ in range(rng.randint(20, 40)):
        tick(5)
        emit_lines(b_winrm401(c, NEW)[0], NEW)
    emit_lines([(SAY, "WinRM connected."), (AZ, "Connected to machine"), (SAY, "Connected to WinRM!"),
                (AZ, "Running the provision hook"),
                (SAY, "Uploading /aib/packerInput/DeprovisioningScript.txt => c:\\DeprovisioningScript.ps1"),
                (AZ, "Uploading file to 'c:\\DeprovisioningScript.ps1'"),
                (FILE, "[INFO] 1288 bytes written for 'uploadData'"), (CORE, "[INFO] 1288 bytes written for 'uploadData'"),
                (FILE, "closing"), (CORE, "closing")], NEW)

    # ---------------------------------------------------------------- epilogue (rendered later)
    def epilogue_lines():
        sid = c.psuuid()
        E = [(AZ, "[INFO] command 'powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-%s.ps1\"' exited with code: 1" % c.psuuid()),
             (SAY, "C:\\Windows\\Temp\\script-%s.ps1 : Array index expression is missing or not valid." % sid),
             (SAY, "At C:\\Windows\\Temp\\script-%s.ps1:62 char:14" % sid),
             (SAY, '+ Write-Host "[VERIFY] npm: $(npm --version)"'),
             (SAY, "+              ~"),
             (SAY, "Array index expression is missing or not valid."),
             (SAY, '+     Write-Error "An error occurred: $_"'),
             (SAY, "The string is missing the terminator: \"."),
             (SAY, "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException"),
             (SAY, "    + FullyQualifiedErrorId : MissingArrayIndexExpression"),
             (SAY, ""),
             (AZ, "[INFO] RPC endpoint: Communicator ended with: 1"),
             (CORE, "[INFO] 2108 bytes written for 'stdout'"), (CORE, "[INFO] 0 bytes written for 'stderr'"),
             (CORE, "[INFO] RPC client: Communicator ended with: 1"),
             (PS, "c:/Windows/Temp/script-%s.ps1 returned with exit code 1" % sid),
             (SAY, "Provisioning step had errors: Running the cleanup provisioner, if present..."),
             (SAY, ""),
             (BARE, "==> azure-arm: Deleting Virtual Machine deployment and its attached resources...")]
        for res in ("Microsoft.Compute/virtualMachines : 'pkrvm%s'", "Microsoft.Network/networkInterfaces : 'pkrni%s'",
                    "Microsoft.Compute/disks : 'pkros%s'"):
            E += [(AZ, "[DEBUG] DELETE %s?[REDACTED]" % arm_url(c, rng)), (SAY, "Deleted -> " + res % c.suffix)]
        E += [(SAY, "Removing the created Deployment object: 'pkrdp%s'" % c.suffix),
              (BARE, "==> azure-arm: Deleting KeyVault created during build"),
              (SAY, "Deleted -> Microsoft.KeyVault/vaults : 'pkrkv%s'" % c.suffix),
              (BARE, "==> azure-arm: The resource group was not created by Packer, not deleting ..."),
              (UIERR, "Build 'azure-arm' errored after 9 hours 58 minutes: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"),
              (CORE, "ui: "), (CORE, 'machine readable: error-count []string{"1"}'), (UIERR, ""),
              (BARE, "==> Some builds didn't complete successfully and had errors:"),
              (CORE, 'machine readable: azure-arm,error []string{"Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"}'),
              (UIERR, "--> azure-arm: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"),
              (BARE, "==> Builds finished but no artifacts were created."),
              (CORE, "waiting for all plugin processes to complete...")]
        E += [(CORE, "/aib/packerInput/packer: plugin process exited")] * 6
        E += [(BARE, "Done exporting Packer logs to Azure Storage.")]
        return E

    EPI = epilogue_lines()
    epi_len = len(rend.lines_to_bytes(EPI, NEW, False)) + 19 * 40

    # ---------------------------------------------------------------- sections
    n_sections = int(max(4, min(40, a.size_mb // 25 + 4)))
    types = []
    for i in range(n_sections - 1):
        types.append(rng.choices(["powershell", "shell", "windows-update", "windows-restart", "file"],
                                 weights=[6, 2, 1, 2, 1])[0])
    types.append("powershell")  # the failing one
    fmts = [NEW if (i == n_sections - 1 or rng.random() >= 0.3) else OLD for i in range(n_sections)]
    bulk = [t in tables for t in types]
    weights = [rng.uniform(0.3, 1.7) if b else 0.0 for b in bulk]
    # Small sections and headers: reserve about 64 KB each.
    reserve = 64_000 * n_sections
    body_total = max(0, target - size() - epi_len - reserve)
    wsum = sum(weights)
    budgets = [body_total * w / wsum for w in weights]
    exp_picks = sum(budgets[i] / tables[types[i]][3] for i in range(n_sections) if bulk[i]) or 1
    p_tick = min(1.0, span / exp_picks)

    def section_header(t, fmt):
        if t == "powershell":
            tmp = rng.randint(10**8, 4 * 10**9)
            sid, eid, vid, oid = c.psuuid(), c.psuuid(), c.psuuid(), c.psuuid()
            H = [(SAY, "Provisioning with Powershell...")]
            fc = b_found_cmd(c, fmt)[0] * rng.randint(1, 4)
            H += fc
            H += [(PS, "Writing PowerShell script to file: /tmp/powershell-provisioner%d" % tmp),
                  (SAY, "Provisioning with powershell script: /tmp/powershell-provisioner%d" % tmp),
                  (PS, "Opening /tmp/powershell-provisioner%d for reading" % tmp),
                  (PS, "Uploading env vars to c:/Windows/Temp/packer-ps-env-vars-%s.ps1" % vid),
                  (PS, "[INFO] 74 bytes written for 'uploadData'"), (CORE, "[INFO] 74 bytes written for 'uploadData'"),
                  (AZ, "Uploading file to 'c:/Windows/Temp/packer-ps-env-vars-%s.ps1'" % vid),
                  (PS, "Building elevated command wrapper for: powershell -executionpolicy bypass -file c:/Windows/Temp/script-%s.ps1" % sid),
                  (PS, "Uploading elevated shell wrapper for command [powershell -executionpolicy bypass -file c:/Windows/Temp/script-%s.ps1 > %%SYSTEMROOT%%/Temp/packer-%s.out 2>&1] to [C:/Windows/Temp/packer-elevated-shell-%s.ps1]" % (sid, oid, eid)),
                  (PS, "[INFO] 3255 bytes written for 'uploadData'"), (CORE, "[INFO] 3255 bytes written for 'uploadData'"),
                  (AZ, "Uploading file to 'C:/Windows/Temp/packer-elevated-shell-%s.ps1'" % eid),
                  (AZ, "Uploading file to 'c:/Windows/Temp/script-%s.ps1'" % sid),
                  (AZ, "[INFO] starting remote command: powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-%s.ps1\"" % eid)]
            footer = [(AZ, "[INFO] command 'powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-%s.ps1\"' exited with code: 0" % eid),
                      (AZ, "[INFO] RPC endpoint: Communicator ended with: 0"),
                      (CORE, "[INFO] %d bytes written for 'stdout'" % rng.randint(1000, 10**7)),
                      (CORE, "[INFO] 0 bytes written for 'stderr'"), (CORE, "[INFO] RPC client: Communicator ended with: 0"),
                      (PS, "c:/Windows/Temp/script-%s.ps1 returned with exit code 0" % sid),
                      (AZ, "Uploading file to 'c:/Windows/Temp/packer-cleanup-%s.ps1'" % c.psuuid()),
                      (AZ, "[INFO] command 'powershell -executionpolicy bypass -file c:/Windows/Temp/packer-cleanup-%s.ps1' exited with code: 0" % c.psuuid())]
            return H, footer
        if t == "shell":
            n = rng.randint(1000, 9999)
            cmd = "chmod +x /tmp/script_%d.sh; PACKER_BUILDER_TYPE='azure-arm' PACKER_BUILD_NAME='azure-arm'  /tmp/script_%d.sh" % (n, n)
            H = [(SAY, "Provisioning with shell script: /tmp/packer-shell%d" % rng.randint(10**8, 4 * 10**9)),
                 (SHELL, "Opening /tmp/packer-shell%d for reading" % rng.randint(10**8, 4 * 10**9)),
                 (AZ, "[INFO] starting remote command: " + cmd)]
            F = [(AZ, "[INFO] command '%s' exited with code: 0" % cmd), (AZ, "[INFO] RPC endpoint: Communicator ended with: 0"),
                 (CORE, "[INFO] %d bytes written for 'stdout'" % rng.randint(1000, 10**7)),
                 (CORE, "[INFO] RPC client: Communicator ended with: 0"),
                 (SHELL, "[INFO] RPC client: Communicator ended with: 0")]
            return H, F
        if t == "windows-update":
            H = [(SAY, "Uploading the Windows update elevated script..."), (SAY, "Running Windows update...")]
            F = [(SAY, "Found 0 Windows updates to install."), (SAY, "Windows update finished.")]
            return H, F
        if t == "windows-restart":
            H = [(SAY, "Restarting Machine"),
                 (AZ, "[INFO] starting remote command: shutdown /r /f /t 5 /c \"Restart after runtime installation\""),
                 (AZ, "[INFO] command 'shutdown /r /f /t 5 /c \"Restart after runtime installation\"' exited with code: 0"),
                 (SAY, "Waiting for machine to restart..."),
                 (AZ, "[INFO] starting remote command: shutdown /r /f /t 60 /c \"packer restart test\"")]
            if rng.random() < 0.5:
                H += [(AZ, "[INFO] command 'shutdown /r /f /t 60 /c \"packer restart test\"' exited with code: 1190"),
                      (UIERR, "==> azure-arm: A system shutdown has already been scheduled.(1190)"),
                      (WR, "Reboot already in progress, waiting...")]
            else:
                H += [(AZ, "[INFO] command 'shutdown /r /f /t 60 /c \"packer restart test\"' exited with code: 0")]
            H += [(WR, "Check if machine is rebooting..."), (WR, "Waiting for machine to reboot with timeout: 10m0s"),
                  (WR, "Waiting for machine to become available...")]
            F = [(WR, "Checking that communicator is connected with: 'powershell -command \"node --version; python --version\"'"),
                 (SAY, "v24.13.1"), (SAY, "Python 3.14.3"), (SAY, "pkrvm%s restarted." % c.suffix),
                 (SAY, "Machine successfully restarted, moving on")]
            return H, F
        # file
        src = c.pick(["/aib/packerInput/files/config.json", "/aib/packerInput/files/Install-Apps.ps1",
                      "https://example.blob.core.windows.net/artifacts/agent.zip"])
        H = [(SAY, "Uploading %s => C:\\BuildArtifacts\\%s" % (src, src.rsplit("/", 1)[1])),
             (AZ, "Uploading file to 'C:\\BuildArtifacts\\%s'" % src.rsplit("/", 1)[1]),
             (FILE, "[INFO] %d bytes written for 'uploadData'" % rng.randint(100, 10**7))]
        return H, [(FILE, "closing"), (CORE, "closing")]

    hi = 0
    for i, t in enumerate(types):
        fmt = fmts[i]
        last = i == n_sections - 1
        H, F = section_header(t, fmt)
        tick(rng.randint(1, 5))
        emit_lines(H, fmt)
        if t == "windows-restart":
            for _ in range(rng.randint(5, 60)):
                tick(5)
                emit_lines(b_winrm401(c, fmt)[0], fmt)
        if bulk[i]:
            gl, w, _, avgb, p_crlf = tables[t]
            stop = size() + budgets[i]
            if last:
                stop = target - epi_len
            plist = [pools[g] for g in gl]
            cum = []
            acc = 0.0
            for wi in w:
                acc += wi
                cum.append(acc)
            rnd = rng.random
            while size() < stop:
                picks = rng.choices(plist, cum_weights=cum, k=4096)
                for p in picks:
                    if rnd() < p_tick:
                        clock[0] += 1
                    variants = p.by[fmt]
                    j = int(rnd() * p.n)
                    if p.windows and rnd() < p_crlf:
                        blk = variants[1][j]
                    else:
                        blk = variants[0][j]
                    blk = blk.replace(TSB, ts())
                    buf.append(blk)
                    bufn[0] += len(blk)
                    if bufn[0] >= FLUSH:
                        out.write(b"".join(buf))
                        written[0] += bufn[0]
                        buf.clear()
                        bufn[0] = 0
                    if hi < len(huge_at) and size() >= huge_at[hi]:
                        emit_lines(huge_line(c, huge_sizes[hi]), fmt)
                        hi += 1
                    if size() >= stop:
                        break
        if not last:
            tick(rng.randint(1, 5))
            emit_lines(F, fmt)
    while hi < len(huge_at):  # tiny files: make sure the huge line is there
        emit_lines(huge_line(c, huge_sizes[hi]), NEW)
        hi += 1
    tick(3)
    emit_lines(EPI, NEW)
    out.write(b"".join(buf))
    written[0] += bufn[0]
    out.close()
    dt = time.time() - t0
    print("genlog: wrote %s: %d bytes (target %d), seed %d, %d sections, %.1f s (%.0f MB/s)"
          % (a.out, written[0], target, a.seed, n_sections, dt, written[0] / 1e6 / max(dt, 1e-9)), file=sys.stderr)


if __name__ == "__main__":
    main()
