import AIBLogsMatching

/// The analysis layer's own rules: lines that mark the structure of a run (phases,
/// customizers, exit codes, outcome) rather than a failure class. They run in the same scan
/// as the pattern library.
enum Marker: String, CaseIterable {
  case packerVersion
  case telemetryStart
  case telemetryEnd
  case customizerStart
  case connectWait
  case connected
  case deploying
  case deprovision
  case remoteCommand
  case exitCode
  case capture
  case captureStep
  case cleanup
  case buildFinished
  case buildErrored
  case someBuildsFailed
  case errorSummary
  case machineReadableError
  case exportDone
  case cancellation
  case imageState
  case systemPerformance
  case fileProgress
  case restartWaiting
  case restartDone
  case runStatus
  case errorWord
  case exceptionWord
  case failureWord
  case troubleWord
  case toolError
  case requirementWord
  case killedJob
  case devopsTask
  case vmSize
  case logLocation

  /// The rule that finds this marker.
  var rule: MatchRule {
    let (literals, regexes) = definition
    return MatchRule(id: "marker:" + rawValue, literals: literals, regexes: regexes)
  }

  private var definition: ([String], [String]) {
    switch self {
    case .packerVersion:
      (["Packer version:"], [#"^\[INFO\] Packer version: (?<version>\S+)"#])
    case .telemetryStart:
      (["(telemetry) Starting provisioner"], [#"\(telemetry\) Starting provisioner (?<type>[\w-]+)"#])
    case .telemetryEnd:
      (["(telemetry) ending"], [#"\(telemetry\) ending (?<type>[\w-]+)"#])
    case .customizerStart:
      (
        ["Provisioning with", "Uploading", "Restarting Machine", "Running Windows update"],
        [
          #"^Provisioning with (?i:powershell)\.\.\.$"#,
          #"^Provisioning with shell script: (?<detail>\S+)"#,
          #"^Uploading (?<detail>\S.* => .+)$"#,
          #"^Restarting Machine$"#,
          #"^Running Windows update\.\.\.$"#,
        ]
      )
    case .connectWait:
      (["Waiting for WinRM", "Waiting for SSH"], [#"^Waiting for (?<kind>WinRM|SSH)\b"#])
    case .connected:
      (["Connected to", "WinRM connected"], [#"^(?:Connected to (?:WinRM|SSH)!|WinRM connected\.)"#])
    case .deploying:
      (["deployment template"], [#"^(?:Validating|Deploying) deployment template"#])
    case .deprovision:
      // AIB's own command (`if( TEST-PATH c:\DeprovisioningScript.ps1 ){cat ...}`), an error from
      // inside the running script (`At C:\DeprovisioningScript.ps1:3 char:9`,
      // `/tmp/DeprovisioningScript.sh: 1: ...`) or what it prints: not any mention of the file, which
      // a customizer that writes its own override names too.
      (
        ["DeprovisioningScript", "Sysprepping VM", "waagent -force -deprovision"],
        [
          #"(?i:test-path) c:\\DeprovisioningScript\.ps1|DeprovisioningScript\.(?:ps1:\d|sh:)|Sysprepping VM|waagent -force -deprovision"#
        ]
      )
    case .remoteCommand:
      // No capture: only the line is kept (a capture of the command made a String of it on
      // each such line).
      (["starting remote command"], [#"starting remote command: "#])
    case .exitCode:
      // The SSH communicator reports only a failed command, in its own words:
      // `[ERROR] Remote command exited with '1': chmod +x /tmp/script_9178.sh; ...`.
      (
        ["exited with code", "returned with exit code", "Remote command exited with '"],
        [
          #"command '(?<command>.*)' exited with code: (?<code>\d+)$"#,
          #"returned with exit code (?<code>\d+)$"#,
          #"\[ERROR\] Remote command exited with '(?<code>\d+)': (?<command>.*)$"#,
        ]
      )
    case .capture:
      (
        ["Snapshot ID", "Skipping image creation", "Capturing image"],
        [#"Snapshot ID|Skipping image creation|Capturing image"#]
      )
    case .captureStep:
      // The builder's first capture steps, after the last customizer: a failure while the VM is
      // powered off or its disk snapshotted happens before any `Snapshot ID` line.
      (
        ["Querying the machine", "Powering off machine", "Snapshotting OS disk"],
        [#"^(?:Querying the machine.s properties|Powering off machine|Snapshotting OS disk)"#]
      )
    case .cleanup:
      (
        [
          "Deleting Virtual Machine deployment", "deleting individual resources", "Removing the created Deployment",
          "Deleting KeyVault", "not created by Packer",
        ],
        [
          #"^(?:Deleting Virtual Machine deployment|Removing the created Deployment|Deleting KeyVault|The resource group was not created by Packer)"#
        ]
      )
    case .buildFinished:
      // Also with curly quotes (bytes: the regexes run in byte mode): Packer output copied from
      // documentation.
      (["' finished", "\u{2019} finished"], [#"^Build (?:'|\xE2\x80\x98)(?<build>[^']+?)(?:'|\xE2\x80\x99) finished"#])
    case .buildErrored:
      (
        ["' errored", "\u{2019} errored"],
        [
          #"^Build (?:'|\xE2\x80\x98)(?<build>[^']+?)(?:'|\xE2\x80\x99) errored(?: after (?<duration>[^:]+))?: (?<reason>.*)$"#
        ]
      )
    case .someBuildsFailed:
      (["Some builds didn't complete"], [#"Some builds didn't complete successfully"#])
    case .errorSummary:
      (["--> "], [#"^(?<reason>\S.*)$"#])
    case .machineReadableError:
      (["machine readable:"], [#"machine readable: [\w.-]+,error \[\]string\{"(?<reason>.*)"\}"#])
    case .exportDone:
      (["Done exporting Packer logs"], [#"Done exporting Packer logs to Azure Storage"#])
    case .cancellation:
      (
        ["Received interrupt signal", "Cancelling build after", "Cancelling builder after"],
        [
          #"^(?:Received interrupt signal|Cancelling build after receiving|Cancelling builder after context cancellation)"#
        ]
      )
    case .imageState:
      // Packer's remote output pasted without a log prefix keeps its builder name in the message
      // when the name is not an `azure*` one (`    vhd: IMAGE_STATE_UNDEPLOYABLE`, as the
      // runner-images templates name it) or its indentation was lost (`azure-arm: IMAGE_STATE_...`).
      (["IMAGE_STATE_"], [#"^(?:\s*[a-z][\w.-]{0,63}: )?(?<state>IMAGE_STATE_[A-Z_]+)\s*$"#])
    case .systemPerformance:
      (["system performance:"], [#"system performance: \d+% cpu; (?<memory>\d+)% memory"#])
    case .fileProgress:
      (["B / "], [#"(?:(?<file>\S+) )?(?<done>[\d.]+ [KMGT]?i?B) / (?<total>[\d.]+ [KMGT]?i?B)\s+(?<percent>[\d.]+)%"#])
    case .restartWaiting:
      (
        ["Waiting for machine to re", "Waiting for machine to become available"],
        [#"Waiting for machine to (?:restart|reboot|become available)"#]
      )
    case .restartDone:
      (["successfully restarted", " restarted."], [#"successfully restarted|^\S+ restarted\.$"#])
    case .runStatus:
      // JSON and YAML keys (`"runState": "Failed"`, `runSubState: Validating`), and the property
      // names of Az.ImageBuilder's objects as PowerShell lists them (`LastRunStatusRunState : Failed`,
      // `ProvisioningState : Failed`).
      (
        ["runState", "runSubState", "lastRunStatus", "provisioningState", "provisioningError"],
        [
          #"(?:^|[^A-Za-z])"?(?:LastRunStatus)?(?<key>[rR]unState|[rR]unSubState|[pP]rovisioningState)"?\s*[:=]\s*"?(?<state>[A-Za-z]+)"#
        ]
      )
    // Error-shaped lines, in groups that each run only when their own words occur: one
    // caseless alternation of every word was tried at almost every position of every such line
    // (1.6 microseconds a line; a word alone is found by PCRE2's first-character search in 50 ns).
    case .errorWord:
      // Also an exception's type name at the start of its message (Python's `KeyError: 'X'`,
      // `ModuleNotFoundError: ...`, Java's `java.io.IOException: ...`).
      (["error"], [#"(?i)\berror\b"#, #"^(?:[a-z_]\w*\.)*[A-Z]\w*Error: "#])
    case .exceptionWord:
      (["exception"], [#"(?i)\bexception\b"#, #"^(?:[a-z_]\w*\.)*[A-Z]\w*Exception: "#])
    case .failureWord:
      (["fail"], [#"(?i)\bfailure\b|(?<!\b0 )\bfailed\b(?!:?\s*0\b)"#])
    case .troubleWord:
      (["fatal", "denied", "not found", "cannot "], [#"(?i)\b(?:fatal|denied|not found|cannot)\b"#])
    case .toolError:
      // npm's and apt's error lines, the header of a Python traceback (whose last line names the
      // error), and sudo, which speaks only when it refuses (`sudo: a password is required`; its
      // warning about the host name is harmless).
      (
        [
          "npm ERR", "E: Unable", "E: Package", "E: Could not", "E: Sub-process", "E: The repository", "E: Version",
          "E: Invalid", "E: dpkg", "Traceback (most recent call last)", "sudo: ",
        ],
        [#"(?i)^npm ERR!|^E: \S|^Traceback \(most recent call last\):|^sudo: (?!unable to resolve host)"#]
      )
    case .requirementWord:
      // A requirement not met is an error in any tool's words.
      (["is required", "are required"], [#"(?i)\b(?:is|are) required\b"#])
    case .killedJob:
      // bash's notice that a job died of SIGKILL (`script.sh: line 6:  4821 Killed   make -j8`),
      // on a build VM most often the kernel's out-of-memory killer; it holds no error word.
      ([" Killed "], [#"^\S+: line \d+: +\d+ Killed +\S"#])
    case .devopsTask:
      (
        ["starting run template", "start reading task parameters", "template name:"],
        [#"starting run template|start reading task parameters|^template name: "#]
      )
    case .vmSize:
      // The builder's configuration dump names the build VM's size.
      (["VMSize="], [#"\bVMSize=(?<size>Standard_[A-Za-z0-9_]+)"#])
    case .logLocation:
      // Where a failed run's status says its customization.log is (a blob URL, or the storage
      // account's resource path in the 2024 wording).
      (["/packerlogs/"], [#"(?<location>[^\s"'<>]*/packerlogs/[^\s"'<>]*?/customization\.log)"#])
    }
  }
}
