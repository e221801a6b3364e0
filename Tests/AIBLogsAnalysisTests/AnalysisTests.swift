import AIBLogsInput
import AIBLogsPatterns
import Foundation
import Testing

@testable import AIBLogsAnalysis

let analyzer: LogAnalyzer = {
  do {
    return try LogAnalyzer(library: try PatternLibrary.bundled())
  } catch {
    fatalError("the bundled library does not load: \(error)")
  }
}()

/// Diagnoses `lines` given as one log.
func diagnose(_ lines: [String]) throws -> InputDiagnosis {
  let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
  return try analyzer.analyze(try InputOpener.open(source: MemorySource(bytes), path: "test.log"))
}

let op = "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER"

/// A new-format line with a time of day.
func new(_ time: String, _ text: String) -> String { "\(op) 2026/02/21 \(time) \(text)" }

@Suite struct DetectorTests {
  @Test func sysprepLoopIsFoundWhenUndeployableRepeatsWithoutProgress() throws {
    var lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:00",
        "packer-provisioner-powershell plugin: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail or the VM created from the output image may not work correctly.\"}"
      ),
      new("10:00:05", "ui: ==> azure-arm: IMAGE_STATE_COMPLETE"),
    ]
    for minute in 1...40 {
      lines.append(new("10:\(minute < 10 ? "0" : "")\(minute):00", "ui: ==> azure-arm: IMAGE_STATE_UNDEPLOYABLE"))
    }
    lines.append(new("12:00:00", "ui error: Cancelling build after receiving terminated"))
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "sysprep-state-loop")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.occurrences == 40)
    #expect(finding.message.contains("IMAGE_STATE_UNDEPLOYABLE 40 times over 39 min"))
    #expect(finding.customizer?.isAIBStep == true)
  }

  /// AIB's deprovision step up to its guest-agent wait for `service`, then `silenceEnd` and a cancellation.
  func deprovisionWaitingFor(_ service: String, silenceEnd: String) -> [String] {
    [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:00",
        "packer-provisioner-powershell plugin: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found. Image build may fail or the VM created from the output image may not work correctly.\"}"
      ),
      new("10:00:02", "ui:     azure-arm: >>> Waiting for GA Service (RdAgent) to start ..."),
      new("10:00:03", "ui:     azure-arm: >>> Waiting for GA Service (\(service)) to start ..."),
      new(silenceEnd, "ui error: Cancelling build after receiving terminated"),
    ]
  }

  @Test func aGuestAgentThatNeverStartsIsTheCauseOfACancelledDeprovision() throws {
    let diagnosis = try diagnose(deprovisionWaitingFor("WindowsAzureGuestAgent", silenceEnd: "13:50:00"))
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "sysprep-timing-guest-agent")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.captures["service"] == "WindowsAzureGuestAgent")
    #expect(finding.customizer?.isAIBStep == true)
    #expect(finding.message.contains("never started"))
    #expect(!finding.message.contains("waiting for input"))
    #expect(finding.evidence.contains { $0.text.contains("(WindowsAzureGuestAgent) to start") })
  }

  @Test func aShortGuestAgentWaitBeforeACancellationIsNotTheCause() throws {
    let diagnosis = try diagnose(deprovisionWaitingFor("WindowsAzureGuestAgent", silenceEnd: "10:03:00"))
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.findings.allSatisfy { $0.id != "sysprep-timing-guest-agent" })
  }

  /// AIB's deprovision step whose polling loop prints `state` `count` times a minute apart, then `ending`.
  func sysprepPolling(_ state: String, count: Int, ending: [String]) -> [String] {
    var lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:00",
        "packer-provisioner-powershell plugin: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found.\"}"
      ),
      new("10:00:02", "ui:     azure-arm: >>> Sysprepping VM ..."),
    ]
    for minute in 1...count {
      lines.append(
        new("1\(minute / 60):\(minute % 60 < 10 ? "0" : "")\(minute % 60):00", "ui:     azure-arm: \(state)"))
    }
    return lines + ending
  }

  @Test func aSysprepLoopOnAStateOtherThanUndeployableIsStillALoop() throws {
    let diagnosis = try diagnose(
      sysprepPolling(
        "IMAGE_STATE_COMPLETE", count: 200,
        ending: [new("13:55:00", "ui error: Cancelling build after receiving terminated")]))
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "sysprep-state-loop")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.captures["state"] == "IMAGE_STATE_COMPLETE")
    #expect(finding.title.contains("IMAGE_STATE_COMPLETE loop"))
    #expect(finding.message.contains("IMAGE_STATE_COMPLETE 200 times over 3 h 19 min"))
    #expect(finding.message.contains("never started generalizing"))
    #expect(!finding.message.contains("UNDEPLOYABLE"))
    #expect(finding.evidence.contains { $0.text.hasSuffix("IMAGE_STATE_COMPLETE") })
    #expect(finding.phase == .deprovision)

    let sealed = try diagnose(
      sysprepPolling(
        "IMAGE_STATE_SPECIALIZE_RESEAL_TO_OOBE", count: 120,
        ending: [new("13:55:00", "ui error: Cancelling build after receiving terminated")]))
    #expect(sealed.primary == "sysprep-state-loop")
    #expect(sealed.findings.first?.message.contains("without /generalize") == true)
  }

  @Test func anExitCodeOfTheLastStepThatTheFinishedBuildWentOnFromWasAllowed() throws {
    // No deprovision step after it (AIB's is optional with some sources): the capture and a
    // build that finished without an error show that validExitCodes accepted 3010.
    let plugin = "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:03"
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Connected to WinRM!"),
      new("10:00:01", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:02",
        "\(plugin) [INFO] starting remote command: powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-69ae9b85.ps1\""
      ),
      new("10:00:03", "ui:     azure-arm: msiexec finished"),
      new(
        "10:00:03",
        "\(plugin) [INFO] command 'powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-69ae9b85.ps1\"' exited with code: 3010"
      ),
      new("10:00:04", "ui: ==> azure-arm: Querying the machine's properties ..."),
      new("10:00:05", "ui: ==> azure-arm: Powering off machine ..."),
      new("10:14:00", "ui: Build 'azure-arm' finished after 14 minutes 3 seconds."),
    ])
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.primary == nil)
    let exit = try #require(diagnosis.findings.first { $0.id == "script-nonzero-exit" })
    #expect(exit.benign)
    #expect(exit.benignReason?.contains("finished without an error") == true)
  }

  @Test func twoUndeployableStatesBeforeACancellationAreTheLoop() throws {
    // The catalog's excerpt: the loop's lines elided after the second one, then the cancellation.
    let cancelled = try diagnose(
      sysprepPolling(
        "IMAGE_STATE_UNDEPLOYABLE", count: 2,
        ending: [new("13:55:00", "ui error: Cancelling build after receiving terminated")]))
    #expect(cancelled.primary == "sysprep-state-loop")
    #expect(cancelled.findings.first?.occurrences == 2)
    // Without a cancellation two are only a log cut while Sysprep works.
    let running = try diagnose(sysprepPolling("IMAGE_STATE_UNDEPLOYABLE", count: 2, ending: []))
    #expect(running.findings.allSatisfy { $0.id != "sysprep-state-loop" })
  }

  @Test func aSysprepLoopInPackerOutputPastedWithAnotherBuilderNameIsFound() throws {
    // Packer's terminal output as pasted in actions/runner-images#7743: the builder is named
    // `vhd`, so the bare `    vhd: ` prefix stays in the message of the state lines.
    let head = [
      "==> vhd: Machine successfully restarted, moving on",
      "==> vhd: Provisioning with Powershell...",
      "==> vhd: Provisioning with powershell script: /tmp/powershell-provisioner867035536",
      "    vhd: IMAGE_STATE_COMPLETE",
    ]
    let loop = try diagnose(head + Array(repeating: "    vhd: IMAGE_STATE_UNDEPLOYABLE", count: 7))
    #expect(loop.primary == "sysprep-state-loop")
    #expect(loop.findings.first?.occurrences == 7)
    // The same output reaching the generalized state has no loop.
    let done = try diagnose(
      head + Array(repeating: "    vhd: IMAGE_STATE_UNDEPLOYABLE", count: 7) + [
        "    vhd: IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"
      ])
    #expect(done.findings.allSatisfy { $0.id != "sysprep-state-loop" })
  }

  @Test func aStateOtherThanUndeployableRepeatedBeforeTheStepMovesOnIsNoLoop() throws {
    // A normal run prints IMAGE_STATE_COMPLETE a few times before Sysprep gets going; a log that
    // ends there (cut off, still running) or goes on to the generalized state has no loop.
    let running = try diagnose(sysprepPolling("IMAGE_STATE_COMPLETE", count: 4, ending: []))
    #expect(running.findings.allSatisfy { $0.id != "sysprep-state-loop" })
    let done = try diagnose(
      sysprepPolling(
        "IMAGE_STATE_COMPLETE", count: 4,
        ending: [
          new("10:05:00", "ui:     azure-arm: IMAGE_STATE_UNDEPLOYABLE"),
          new("10:06:00", "ui:     azure-arm: IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"),
          new("10:07:00", "ui error: Cancelling build after receiving terminated"),
        ]))
    #expect(done.findings.allSatisfy { $0.id != "sysprep-state-loop" })
  }

  @Test func aBuildCancelledBeforeAnyCustomizerIsNotAboutCustomizers() throws {
    let deploying = try diagnose([
      new("10:00:00", "[INFO] Packer version: 1.14.3 [go1.24.6 linux amd64]"),
      new("10:00:10", "ui: ==> azure-arm: Deploying deployment template ..."),
      new("10:10:10", "packer-plugin-azure plugin: 2026/02/21 10:10:10 [DEBUG] GET https://management.azure.com/x"),
      new("10:20:10", "packer-plugin-azure plugin: 2026/02/21 10:20:10 [DEBUG] GET https://management.azure.com/x"),
      new("10:26:00", "ui error: Cancelling build after receiving terminated"),
    ])
    #expect(diagnosis(deploying, is: "build-timeout"))
    var finding = try #require(deploying.findings.first)
    #expect(finding.customizer == nil)
    #expect(finding.phase == .provisioning)
    #expect(
      finding.message.contains(
        "No customizer had started: the build VM and its resources had been deploying for 25 min"))
    #expect(finding.fixes.allSatisfy { !$0.contains("Find the customizer") })
    #expect(finding.templatePaths == ["properties.buildTimeoutInMinutes"])

    let connecting = try diagnose([
      new("10:00:00", "[INFO] Packer version: 1.14.3 [go1.24.6 linux amd64]"),
      new("10:00:10", "ui: ==> azure-arm: Deploying deployment template ..."),
      new("10:01:10", "packer-plugin-azure plugin: 2026/02/21 10:01:10 [INFO] Waiting for SSH, up to timeout: 20m0s"),
      new("10:01:10", "ui: ==> azure-arm: Waiting for SSH to become available..."),
      new("10:05:10", "packer-plugin-azure plugin: 2026/02/21 10:05:10 [DEBUG] TCP connection to SSH ip/port failed"),
      new("10:10:10", "ui error: Cancelling build after receiving terminated"),
    ])
    finding = try #require(connecting.findings.first)
    #expect(finding.id == "build-timeout")
    #expect(finding.phase == .connect)
    #expect(finding.message.contains("waiting for the build VM to answer over SSH for 9 min"))
    #expect(finding.fixes.contains { $0.contains("port 22") })

    // A customizer that was running keeps the customizer advice.
    let customizing = try diagnose([
      new("10:00:10", "ui: ==> azure-arm: Deploying deployment template ..."),
      new("10:01:10", "ui: ==> azure-arm: Waiting for SSH to become available..."),
      new("10:02:10", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:03:10", "ui:     azure-arm: building"),
      new("10:10:10", "ui error: Cancelling build after receiving terminated"),
    ])
    finding = try #require(customizing.findings.first { $0.id == "build-timeout" })
    #expect(finding.phase == .customize)
    #expect(finding.fixes.first?.contains("Find the customizer") == true)
  }

  func diagnosis(_ diagnosis: InputDiagnosis, is id: String) -> Bool {
    diagnosis.outcome == .cancelled && diagnosis.primary == id
  }

  @Test func aShellStepCancelledWhileWaitingForAPackageLockIsALockFailure() throws {
    var lines = [new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1")]
    for minute in 1...50 {
      let time = "\(10 + minute / 60):\(minute % 60 < 10 ? "0" : "")\(minute % 60):00"
      lines.append(
        new(time, "ui: ==> azure-arm: Another app is currently holding the yum lock; waiting for it to exit..."))
      lines.append(new(time, "ui: ==> azure-arm:   The other application is: yum"))
    }
    lines.append(new("13:55:00", "ui error: Cancelling build after receiving terminated"))
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "apt-lock")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.message.hasPrefix("Customizer #1 (Shell) was still waiting for a package manager lock"))
    #expect(finding.evidence.contains { $0.text.contains("holding the yum lock") })
    #expect(finding.fixes.first?.contains("cloud-init status --wait") == true)
  }

  @Test func aShellStepCancelledAfterALockWaitThatEndedIsNotALockFailure() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:01", "ui: ==> azure-arm: Another app is currently holding the yum lock; waiting for it to exit..."),
      new("10:00:30", "ui:     azure-arm: Installed: git-2.39.3-1.el8_8.x86_64"),
      new("10:00:31", "ui:     azure-arm: Complete!"),
      new("10:00:32", "ui:     azure-arm: Building the index"),
      new("10:00:33", "ui:     azure-arm: step 1"),
      new("10:00:34", "ui:     azure-arm: step 2"),
      new("10:00:35", "ui:     azure-arm: step 3"),
      new("10:00:36", "ui:     azure-arm: step 4"),
      new("13:55:00", "ui error: Cancelling build after receiving terminated"),
    ])
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.findings.allSatisfy { $0.id != "apt-lock" })
  }

  @Test func sysprepStaysSilentWhenTheStateReachesOOBE() throws {
    var lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:01", "ui: ==> azure-arm: >>> Sysprepping VM ..."),
    ]
    for second in 10...20 { lines.append(new("10:00:\(second)", "ui: ==> azure-arm: IMAGE_STATE_UNDEPLOYABLE")) }
    lines += [
      new("10:00:30", "ui: ==> azure-arm: IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"),
      new("10:01:00", "ui: Build 'azure-arm' finished after 1 minute."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.primary == nil)
    #expect(!diagnosis.findings.contains { $0.id == "sysprep-state-loop" })
  }

  @Test func theTelemetryServiceCheckOfTheDefaultScriptIsBenignWhenSysprepGoesOn() throws {
    var lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:02",
        "ui error: ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureTelemetryService'."
      ),
      new("10:00:03", "ui: ==> azure-arm: >>> Sysprepping VM ..."),
      new("10:00:10", "ui: ==> azure-arm: IMAGE_STATE_UNDEPLOYABLE"),
      new("10:00:30", "ui: ==> azure-arm: IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"),
      new("10:01:00", "ui: Build 'azure-arm' finished after 1 minute."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    var diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    var finding = try #require(diagnosis.findings.first { $0.id == "sysprep-telemetry-service-missing" })
    #expect(finding.benign)
    #expect(finding.severity == .note)
    // Without the reseal state and with the build cancelled, the same record is a real lead.
    lines.removeLast(3)
    lines.append(new("13:00:00", "ui error: Cancelling build after receiving terminated"))
    diagnosis = try diagnose(lines)
    finding = try #require(diagnosis.findings.first { $0.id == "sysprep-telemetry-service-missing" })
    #expect(!finding.benign)
  }

  @Test func aDistributionClassSeenWhileTheBuildVMIsDeployedIsInTheProvisioningPhase() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Deploying deployment template ..."),
      new(
        "10:00:20",
        "ui error: ==> azure-arm: ERROR: -> BadRequest : The provided gallery image only supports creation of VMs and VM Scale Sets with 'TrustedLaunch' security type."
      ),
      new("10:00:30", "ui error: Build 'azure-arm' errored after 30 seconds: the deployment failed"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "security-type-mismatch-trusted-launch")
    #expect(diagnosis.findings.first?.phase == .provisioning)
  }

  @Test func theGuestAgentCheckOfTheDefaultScriptDoesNotFailAFinishedBuild() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:02",
        "ui error: ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureGuestAgent'."),
      new("10:00:03", "ui: ==> azure-arm: >>> Sysprepping VM ..."),
      new("10:00:30", "ui: ==> azure-arm: IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"),
      new("10:01:00", "ui: Build 'azure-arm' finished after 1 minute."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.findings.first { $0.id == "sysprep-timing-guest-agent" }?.benign == true)
  }

  @Test func aSilentNonElevatedPowerShellStepUntilTheCancellationPointsAtElevation() throws {
    var lines = [
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER ERR 2020/05/01 10:00:00 packer-provisioner-powershell plugin: [INFO] starting remote command: powershell -executionpolicy bypass \"& { . c:/Windows/Temp/packer-ps-env-vars-1.ps1; &'c:/Windows/Temp/script-1.ps1'; exit $LastExitCode }\"",
      "PACKER OUT     azure-arm: Installing FSLogix Apps 2.9",
      "PACKER ERR 2020/05/01 14:00:00 packer: Cancelling build after receiving terminated",
      "PACKER OUT Cancelling build after receiving terminated",
    ]
    var diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "powershell-elevation-hang")
    let timeout = try #require(diagnosis.findings.first { $0.id == "build-timeout" })
    // The output line has no timestamp: the silence is not claimed to start at the command.
    #expect(timeout.message.contains("Nothing with a timestamp was logged for 4 h"))
    #expect(timeout.message.contains("Installing FSLogix Apps 2.9"))
    #expect(!timeout.message.contains("after `starting remote command`"))
    // Through the elevated wrapper, the same silence is only a timeout.
    lines[1] = lines[1].replacingOccurrences(of: "packer-ps-env-vars-1", with: "packer-elevated-shell-1")
    diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "build-timeout")
  }

  @Test func packerStatusLinesInACustomizersOutputDoNotEndTheBuild() throws {
    // A script runs a nested Packer build that is cancelled and errors; the outer build finishes.
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:15:00", "ui:     azure-arm: Cancelling build after receiving terminated"),
      new("10:15:01", "ui:     azure-arm: Build 'qemu.edge' errored after 15 minutes 2 seconds: build was cancelled"),
      new("10:15:01", "ui:     azure-arm: ==> Some builds didn't complete successfully and had errors:"),
      new("10:16:00", "ui: Build 'azure-arm' finished after 16 minutes."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    #expect(!diagnosis.findings.contains { $0.id == "build-timeout" })
  }

  @Test func aRetryAppendedToTheSameLogIsDiagnosedOnItsOwn() throws {
    let lines = [
      new("10:00:00", "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
      new("10:01:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new(
        "10:02:00",
        "ui error: ==> azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 1734 (unattended-upgr)"
      ),
      new(
        "10:02:05",
        "ui error: Build 'azure-arm' errored after 2 minutes 5 seconds: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]"
      ),
      "\(op) Done exporting Packer logs to Azure Storage.",
      new("11:00:00", "[INFO] Packer version: 1.14.3 [go1.24.0 linux amd64]"),
      new("11:01:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("11:05:00", "ui: Build 'azure-arm' finished after 5 minutes."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.primary == nil)
    #expect(diagnosis.timeline.customizers.count == 1)
    #expect(
      diagnosis.warnings.contains {
        $0.contains("2 runs of the build") && $0.contains("from line 6") && $0.contains("failed (apt-lock, line 3)")
      })
  }

  @Test func smallVMAdviceSaysWhichSizeTheBuildUsed() throws {
    let lines = [
      new(
        "10:00:00",
        "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:00 Azure: VMSize=Standard_D4s_v5, Location=eastus"
      ),
      new("10:00:05", "ui: ==> azure-arm: Waiting for WinRM to become available..."),
      new("10:30:05", "ui error: ==> azure-arm: Timeout waiting for WinRM."),
      new("10:30:06", "ui error: Build 'azure-arm' errored after 30 minutes 6 seconds: Timeout waiting for WinRM."),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "winrm-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.fixes.contains { $0.hasPrefix("This build ran on Standard_D4s_v5") })
  }

  @Test func restartThatIsAlreadyScheduledAndThenSucceedsIsBenign() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Restarting Machine"),
      new(
        "10:00:01",
        "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:01 [INFO] command 'shutdown /r /f /t 60 /c \"packer restart test\"' exited with code: 1190"
      ),
      new("10:00:01", "ui error: ==> azure-arm: A system shutdown has already been scheduled.(1190)"),
      new("10:00:02", "ui: ==> azure-arm: Waiting for machine to restart..."),
      new("10:02:00", "ui: ==> azure-arm: pkrvmikoi4ldzcc restarted."),
      new("10:02:00", "ui: ==> azure-arm: Machine successfully restarted, moving on"),
      new("10:05:00", "ui: Build 'azure-arm' finished after 5 minutes."),
      "\(op) Done exporting Packer logs to Azure Storage.",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.primary == nil)
    let restart = try #require(diagnosis.findings.first { $0.id == "benign-restart-already-scheduled" })
    #expect(restart.benign)
    #expect(!diagnosis.findings.contains { $0.id == "windows-restart-timeout" })
  }

  @Test func aRestartThatNeverComesBackIsTheCauseOfACancelledBuild() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Restarting Machine"),
      new("10:00:02", "ui: ==> azure-arm: Waiting for machine to restart..."),
      new("13:00:00", "ui error: Cancelling build after receiving terminated"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "windows-restart-timeout")
  }

  @Test func aRestartStillWaitingAtTheCancellationSaysSoAndHowLongItWaited() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Restarting Machine"),
      new("10:00:02", "ui: ==> azure-arm: Waiting for machine to restart..."),
      new(
        "10:00:03",
        "packer-provisioner-windows-restart plugin: Waiting for machine to reboot with timeout: 2h0m0s"),
      new("11:40:03", "ui error: Cancelling build after receiving terminated"),
    ])
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "windows-restart-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(!finding.message.contains("failed: ."))
    #expect(finding.message.contains("still waiting for 1 h 40 min for the VM to come back"))
    #expect(finding.message.contains("restartTimeout is 2h0m0s"))
    #expect(finding.fixes.allSatisfy { !$0.contains("from 15m to 30m") })
    #expect(finding.fixes.contains { $0.contains("Keep restartTimeout (2h0m0s) well below") })
  }

  @Test func aQuestionAsTheLastOutputBeforeATimeoutIsAPrompt() throws {
    let lines = [
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      new("10:00:01", "ui:     azure-arm: Setting up tzdata (2025b-0ubuntu0.22.04.1) ..."),
      new("10:00:01", "ui error: ==> azure-arm: debconf: falling back to frontend: Readline"),
      new("10:00:01", "ui:     azure-arm: Configuring tzdata"),
      new("10:00:01", "ui:     azure-arm: Geographic area:"),
      new("13:59:40", "ui error: Cancelling build after receiving terminated"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "interactive-prompt")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.message.contains("\u{201C}Geographic area:\u{201D}"))
    #expect(finding.evidence.contains { $0.line == 5 })
    #expect(finding.customizer?.templateIndex == 0)
    #expect(diagnosis.chain.contains("build-timeout"))
  }

  @Test func progressAsTheLastOutputBeforeATimeoutIsNoPrompt() throws {
    for last in [
      "Starting interactive configuration (use --unattended to skip) ...",
      "The following NEW packages will be installed:",
    ] {
      let lines = [
        "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
        new("10:00:01", "ui:     azure-arm: \(last)"),
        new("13:59:40", "ui error: Cancelling build after receiving terminated"),
      ]
      let diagnosis = try diagnose(lines)
      #expect(diagnosis.primary == "build-timeout")
      #expect(!diagnosis.findings.contains { $0.id == "interactive-prompt" })
    }
  }

  @Test func promptShapes() {
    for prompt in [
      "Geographic area:", "Enter password:", "Continue? [y/N]", "Overwrite /etc/motd? (yes/no)", "Proceed?",
    ] {
      #expect(RunModelBuilder.looksLikePrompt(prompt), "\(prompt)")
    }
    for other in [
      "Downloading...", "The following packages will be upgraded:", "+ CategoryInfo : x:", "",
      "Installing collected packages: nvidia-cudnn-cu12, torch", "done",
    ] {
      #expect(!RunModelBuilder.looksLikePrompt(other), "\(other)")
    }
  }

  @Test func aRunThatFailedWhileValidatingIsAValidationFailure() throws {
    let diagnosis = try diagnose([
      "{", #"  "lastRunStatus": {"#,
      #"    "message": "Failed while waiting for packerizer: Microservice has failed: Failed while processing request: Error when executing packerizer: Packer build command has failed: exit status 1. During the image build, a failure has occurred, please review the build log to identify which build/customization step failed.","#,
      #"    "runState": "Failed","#, #"    "runSubState": "Validating""#, "  }", "}",
    ])
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "validation-failed")
    #expect(diagnosis.findings.first?.phase == .validate)
    #expect(diagnosis.findings.first?.evidence.map(\.line) == [5])
    let wrapper = try #require(diagnosis.findings.first { $0.id == "packer-build-failed" })
    #expect(wrapper.benign)
  }

  @Test func aFailedLinuxDeprovisionStepIsAWaagentFailureWhateverItPrinted() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: /usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync",
      "PACKER OUT ==> azure-arm: Traceback (most recent call last):",
      "PACKER OUT ==> azure-arm: AttributeError: 'NoneType' object has no attribute 'split'",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    #expect(diagnosis.primary == "waagent-deprovision-failed")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.phase == .deprovision)
    #expect(finding.customizer?.isAIBStep == true)
    #expect(
      finding.message.hasSuffix(
        "It printed \u{201C}AttributeError: 'NoneType' object has no attribute 'split'\u{201D}."))
    #expect(finding.evidence.contains { $0.line == 4 })
  }

  @Test func aFailedUserShellStepIsNotAWaagentFailure() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: AttributeError: 'NoneType' object has no attribute 'split'",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    #expect(diagnosis.primary == "script-nonzero-exit")
    #expect(!diagnosis.findings.contains { $0.id == "waagent-deprovision-failed" })
  }

  @Test func aCancellationSaysHowLongTheRunHadLasted() throws {
    let start = [
      new("10:00:00", "[INFO] Packer version: 1.15.0 [go1.24.12 linux amd64]"),
      new("10:00:05", "ui: ==> azure-arm: Provisioning with Powershell..."),
    ]
    var diagnosis = try diagnose(start + [new("10:20:00", "ui error: Cancelling build after receiving terminated")])
    #expect(diagnosis.primary == "build-timeout")
    #expect(
      diagnosis.findings.first?.title
        == "The build was stopped after 20 min: cancelled, or a buildTimeoutInMinutes that short")
    #expect(
      diagnosis.findings.first?.message.contains(
        "The run had lasted 20 min when it was stopped: unless properties.buildTimeoutInMinutes is about that long")
        == true)
    diagnosis = try diagnose(start + [new("13:58:00", "ui error: Cancelling build after receiving terminated")])
    #expect(
      diagnosis.findings.first?.message.hasSuffix(
        "The run had lasted 3 h 58 min, about the default buildTimeoutInMinutes of 240.") == true)
    #expect(diagnosis.findings.first?.title.hasPrefix("The build ran longer than buildTimeoutInMinutes") == true)
  }

  @Test func anExcerptDoesNotSayHowLongTheRunLasted() throws {
    // Without Packer's start the first line is just where the excerpt begins.
    let diagnosis = try diagnose([
      new("10:00:05", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:20:00", "ui error: Cancelling build after receiving terminated"),
    ])
    #expect(diagnosis.primary == "build-timeout")
    #expect(diagnosis.findings.first?.message.contains("The run had lasted") == false)
  }

  @Test func aRunStatusThatWasOnlyCancelledHasNoRootCause() throws {
    let diagnosis = try diagnose([
      "{", #"  "lastRunStatus": {"#, #"    "message": "","#, #"    "runState": "Canceled","#,
      #"    "runSubState": "Customizing""#, "  }", "}",
    ])
    #expect(diagnosis.kind == .runStatus)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == nil)
    #expect(diagnosis.findings.isEmpty)
  }

  @Test func anSSHLoginThatIsRefusedIsNotANetworkProblem() throws {
    let refused =
      "Packer experienced an authentication error when trying to connect via SSH. This can happen if your username/password are wrong. "
      + "You may want to double-check your credentials as part of your debugging process. original error: ssh: handshake failed: "
      + "ssh: unable to authenticate, attempted methods [none publickey], no supported methods remain"
    var diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Waiting for SSH to become available...",
      "PACKER OUT ==> azure-arm: Error waiting for SSH: \(refused)",
      "PACKER OUT Build 'azure-arm' errored: \(refused)",
    ])
    #expect(diagnosis.primary == "ssh-timeout")
    var finding = try #require(diagnosis.findings.first)
    #expect(
      finding.message.hasPrefix(
        "SSH on the Linux build VM answered, but the build user's login was refused (ssh: handshake failed"))
    #expect(!finding.fixes.contains { $0.hasPrefix("With a BYO subnet") })
    // The pattern file's variant gives the same words the analysis wrote in code before.
    #expect(finding.variant == "login-refused")
    #expect(
      finding.message
        == "SSH on the Linux build VM answered, but the build user's login was refused (ssh: handshake failed: ssh: "
        + "unable to authenticate, attempted methods [none publickey], no supported methods remain): the network path "
        + "worked; the source image's SSH configuration or user provisioning did not let Packer in.")
    #expect(finding.fixes.count == 3)
    #expect(finding.fixes[0].hasPrefix("Use a source image whose sshd accepts a public-key login"))
    #expect(finding.fixes[1].hasPrefix("Make sure cloud-init or the Azure Linux agent provisions users"))
    #expect(finding.fixes[2].hasPrefix("Do not change the SSH daemon configuration"))
    let json = String(decoding: try JSONEncoder().encode(finding), as: UTF8.self)
    #expect(json.contains("\"variant\":\"login-refused\""))
    diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Waiting for SSH to become available...",
      "PACKER OUT Build 'azure-arm' errored: Timeout waiting for SSH.",
    ])
    finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "ssh-timeout")
    #expect(finding.fixes.first?.hasPrefix("With a BYO subnet") == true)
    #expect(finding.variant == nil)
    #expect(!String(decoding: try JSONEncoder().encode(finding), as: UTF8.self).contains("\"variant\""))
  }

  @Test func cancellationNamesTheSilentStepAndHowLongItWasSilent() throws {
    let lines = [
      new(
        "10:00:00",
        "ui: ==> azure-arm: Uploading /aib/packerInput/DeprovisioningScript.txt => c:\\DeprovisioningScript.ps1"),
      new("10:00:01", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:02", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:03",
        "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:03 [INFO] starting remote command: powershell -executionpolicy bypass -file \"C:/Windows/Temp/packer-elevated-shell-1.ps1\""
      ),
      new("11:55:03", "packer-provisioner-powershell plugin: Received interrupt signal (count: 1). Ignoring."),
      new("11:55:03", "ui error: Cancelling build after receiving terminated"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "build-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(
      finding.message.contains("no output for 1 h 55 min after `starting remote command` in customizer #3 (PowerShell)")
    )
    #expect(finding.customizer?.templateIndex == 1)
    #expect(finding.evidence.map(\.line) == [4, 5, 6] || finding.evidence.map(\.line) == [4, 6])
    #expect(diagnosis.timeline.customizers.map(\.isAIBStep) == [true, false, false])
  }

  @Test func echoedScriptSourceIsNotOutput() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:00", "packer-provisioner-powershell plugin: Found command: $ErrorActionPreference = 'Stop'"),
      new(
        "10:00:00",
        "packer-provisioner-powershell plugin:     Write-Error \"[INTEGRITY] SHA256 MISMATCH for setup.exe\""),
      new("10:00:00", "ui: ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1"),
      new(
        "10:00:00",
        "packer-provisioner-powershell plugin:     apt-get install foo   # Could not get lock /var/lib/dpkg/lock-frontend"
      ),
      new("10:01:00", "ui: Build 'azure-arm' finished after 1 minute."),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.findings.filter { !$0.benign }.isEmpty)
    #expect(diagnosis.outcome == .succeeded)
  }

  @Test func aFailureNoPatternKnowsStillGetsItsStepsInformativeLines() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:01", "ui: ==> azure-arm: [BUILD] step 3 ok"),
      new("10:00:02", "ui: ==> azure-arm: [BUILD] step 4 failed: license server unreachable"),
      new("10:00:03", "ui: ==> azure-arm: cleaning up"),
      new("10:00:04", "ui error: Build 'azure-arm' errored after 4 seconds: wobbly flux capacitor"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "unrecognised-failure")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.evidence.map(\.line).contains(3))
    #expect(!finding.evidence.map(\.line).contains(4))
    #expect(finding.message.contains("wobbly flux capacitor"))
  }

  @Test func theRootCauseOutranksItsConsequences() throws {
    let lines = [
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: E: Could not get lock /var/lib/dpkg/lock-frontend - open (11: Resource temporarily unavailable)",
      "PACKER ERR 2024/04/01 10:00:00 packer-provisioner-shell plugin: [INFO] RPC client: Communicator ended with: 100",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "apt-lock")
    #expect(diagnosis.chain == ["script-nonzero-exit"])
    #expect(diagnosis.findings.first?.evidence.map(\.line).contains(4) == true)
  }

  @Test func aLogThatStopsMidwayIsIncomplete() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:01", "ui: ==> azure-arm: installing"),
    ])
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.kind == .customizationLog)
  }

  @Test func runStatusTextIsRecognised() throws {
    let diagnosis = try diagnose([
      "Deployment failed. Correlation ID: 1b2c. Failed in building/customizing image: Failed while waiting for packerizer: Timeout waiting for microservice to complete: 'context deadline exceeded'"
    ])
    #expect(diagnosis.kind == .runStatus)
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "build-timeout")
  }

  @Test func aTimeoutStatusWrappedOverTwoLinesIsQuotedWhole() throws {
    let diagnosis = try diagnose([
      "[ERROR] Failed while waiting for packerizer: Timeout waiting for microservice to",
      "[ERROR] complete: 'context deadline exceeded'",
    ])
    #expect(diagnosis.primary == "build-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.variant == "wrapped-status")
    #expect(finding.message.contains("Timeout waiting for microservice to complete: 'context deadline exceeded'"))
    #expect(!finding.message.contains("(Timeout waiting for microservice to)"))
  }

  @Test func aRunStatusWithoutAPatternTakesItsPhaseFromTheSubState() throws {
    var diagnosis = try diagnose([
      "{", #"  "lastRunStatus": {"#, #"    "runState": "Failed","#, #"    "runSubState": "Distributing","#,
      #"    "message": "something no pattern knows""#, "  }", "}",
    ])
    #expect(diagnosis.primary == "unrecognised-failure")
    #expect(diagnosis.findings.first?.phase == .distribute)
    diagnosis = try diagnose([
      "{", #"  "provisioningState": "Failed","#, #"  "provisioningError": {"#,
      #"    "message": "something no pattern knows""#, "  }", "}",
    ])
    #expect(diagnosis.findings.first { $0.id == "unrecognised-failure" }?.phase == .submission)
  }

  @Test func aSubmissionClassInARunStatusTakesThePhaseTheRunStoppedIn() throws {
    let message =
      "Not authorized to access the resource: /subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/galleries/g. "
      + "Please check the user assigned identity has the correct permissions. For more details, go to https://aka.ms/azvmimagebuilderts."
    var diagnosis = try diagnose([
      "{", #"  "lastRunStatus": {"#, #"    "runState": "Failed","#, #"    "runSubState": "Distributing","#,
      #"    "message": "\#(message)""#, "  }", "}",
    ])
    #expect(diagnosis.primary == "identity-not-authorized")
    #expect(diagnosis.findings.first?.phase == .distribute)
    diagnosis = try diagnose([
      "{", #"  "provisioningState": "Failed","#, #"  "provisioningError": {"#, #"    "message": "\#(message)""#, "  }",
      "}",
    ])
    #expect(diagnosis.primary == "identity-not-authorized")
    #expect(diagnosis.findings.first?.phase == .submission)
  }

  @Test func aLogCutInsideALineBeforeItsFinalStatusGetsAWarning() throws {
    let text = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:05", "ui: ==> azure-arm: Installing language pack"),
    ].joined(separator: "\n")
    func warnings(_ text: String) throws -> [String] {
      try analyzer.analyze(try InputOpener.open(source: MemorySource(Array(text.utf8)), path: "cut.log")).warnings
    }
    let cut = try warnings(String(text.dropLast(4)))
    #expect(cut.contains { $0.hasPrefix("the log ends in the middle of line 2") })
    #expect(try warnings(text + "\n").isEmpty)
  }

  @Test func anInputThatIsNoImageBuilderLogGetsAWarning() throws {
    let diagnosis = try diagnose(["lorem ipsum", "dolor sit amet"])
    #expect(diagnosis.kind == .unknown)
    #expect(diagnosis.warnings.contains { $0.hasPrefix("nothing in this input looks like an Image Builder log") })
    #expect(try diagnose([new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell...")]).warnings.isEmpty)
  }

  @Test func packerTerminalOutputCopiedWithCurlyQuotesIsAFinishedPackerLog() throws {
    let diagnosis = try diagnose([
      "==> azure-arm: Running builder ...", "    azure-arm: Creating Azure Resource Manager (ARM) client ...",
      "Build \u{2018}azure-arm\u{2019} finished.", "==> Builds finished. The artifacts of successful builds are:",
    ])
    #expect(diagnosis.kind == .packerLog)
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.warnings.isEmpty)
  }

  @Test func plainPackerLogWithCITimestampsIsRecognised() throws {
    let diagnosis = try diagnose([
      "2025-02-13T17:20:26.8254142Z ==> azure-arm.build_image: Waiting for WinRM to become available...",
      "2025-02-13T17:50:26.8254142Z Build 'azure-arm.build_image' errored after 30 minutes 1 second: Timeout waiting for WinRM.",
    ])
    #expect(diagnosis.kind == .packerLog)
    #expect(diagnosis.primary == "winrm-timeout")
  }
}

@Suite struct FingerprintTests {
  @Test func theSameFailureInTwoBuildsHasTheSameFingerprint() throws {
    func log(_ op: String, _ time: String, _ vm: String, _ script: String) -> [String] {
      [
        "[\(op)] PACKER 2026/02/21 \(time) ui: ==> azure-arm: Provisioning with Powershell...",
        "[\(op)] PACKER 2026/02/21 \(time) packer-provisioner-powershell plugin: c:/Windows/Temp/script-\(script).ps1 returned with exit code 1",
        "[\(op)] PACKER 2026/02/21 \(time) ui: ==> azure-arm: Deleted -> Microsoft.Compute/virtualMachines : '\(vm)'",
      ]
    }
    let first = try diagnose(
      log("1e3026b3-b765-4689-b4d1-66d6d9492c91", "22:47:48", "pkrvmqxswqgc4os", "699a3576-1143-f714-692a-a6b21ae1c896")
    )
    let second = try diagnose(
      log("bf6dfc77-48b9-45ff-98b2-5924d6005101", "01:07:27", "pkrvmsyco9w9kkz", "699a567f-e4ac-409c-d80f-eca743220559")
    )
    let a = try #require(first.findings.first { $0.id == "script-nonzero-exit" })
    let b = try #require(second.findings.first { $0.id == "script-nonzero-exit" })
    #expect(!a.fingerprint.isEmpty)
    #expect(a.fingerprint == b.fingerprint)
    #expect(
      Fingerprint.normalize("IT_rg_tmpl_6d05f314-4411-4bfa-b83d-ccffbacf786e pkrvmqxswqgc4os 2026/02/21 22:47:48")
        == "IT_rg_tmpl_<guid> pkrvm<name> <time>")
  }

  @Test func differentFailuresHaveDifferentFingerprints() {
    #expect(
      Fingerprint.of(id: "apt-lock", message: "E: Could not get lock")
        != Fingerprint.of(id: "apt-lock", message: "E: Unable to lock"))
  }
}

@Suite struct ProgressAndMemoryTests {
  @Test func aSlowFileDownloadThatIsCancelledReportsItsProgressAndThroughput() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Uploading https://example.com/big.iso => /tmp/big.iso"),
      new("10:00:10", "ui: ==> azure-arm:     big.iso 10.0 MB / 4000.0 MB  0.25%"),
      new("11:00:10", "ui: ==> azure-arm:     big.iso 370.0 MB / 4000.0 MB  9.25%"),
      new("14:00:00", "ui error: Cancelling build after receiving terminated"),
    ]
    let diagnosis = try diagnose(lines)
    let finding = try #require(diagnosis.findings.first { $0.id == "file-customizer-large-download" })
    #expect(finding.captures["throughput"] == "100.0 KB/s")
    #expect(finding.message.contains("transferring big.iso (4.0 GB; 9.25% done)"))
    #expect(finding.message.contains("had downloaded 370.0 MB of 4.0 GB (9.25%) at about 100.0 KB/s"))
  }

  @Test func aLongFileTransfersEvidenceEndsWithItsLastProgress() throws {
    // The catalog's form (D13): each progress line alone after an empty `PACKER OUT` line.
    var lines = [new("10:00:00", "ui: ==> azure-arm: Uploading /aib/packerInput/big.iso => C:\\big.iso")]
    for minute in 1...30 {
      lines += [
        "\(op) ", "big.iso \(minute * 1_000_000) B / 100000000 B  \(minute).00%",
        new("10:\(minute < 10 ? "0" : "")\(minute):00", "packer-plugin-azure plugin: 2026/02/21 10:00:00 tick"),
      ]
    }
    lines.append(new("13:50:00", "ui error: Cancelling build after receiving terminated"))
    let finding = try #require(try diagnose(lines).findings.first { $0.id == "file-customizer-large-download" })
    #expect(finding.evidence.contains { $0.text == "big.iso 1000000 B / 100000000 B  1.00%" })
    #expect(finding.evidence.contains { $0.text == "big.iso 30000000 B / 100000000 B  30.00%" })
    #expect(!finding.evidence.contains { $0.text == "big.iso 2000000 B / 100000000 B  2.00%" })
  }

  @Test func aProgressLineWithoutPrefixIsTheLastOutputBeforeTheCancellation() throws {
    // Old format: each progress line alone after an empty `PACKER OUT` line, none timestamped.
    var lines = [
      "PACKER ERR 2023/02/14 00:00:00 [INFO] (telemetry) Starting provisioner file",
      "PACKER OUT ==> azure-arm: Uploading https://example.com/big.iso => C:\\big.iso",
    ]
    for step in 1...3 { lines += ["PACKER OUT ", "big.iso \(step * 1_000_000) B / 100000000 B  \(step).00%"] }
    lines.append("PACKER ERR 2023/02/14 03:55:00 Cancelling builder after context cancellation context canceled")
    let finding = try #require(try diagnose(lines).findings.first { $0.id == "file-customizer-large-download" })
    #expect(finding.message.contains("the last output was “big.iso 3000000 B / 100000000 B  3.00%”"))
  }

  @Test func aCauseThatExplainsTheSilenceIsNotSaidToWaitForInput() throws {
    let lines = [
      "PACKER ERR 2020/03/26 21:00:00 [INFO] (telemetry) Starting provisioner shell",
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: Firewall is active and enabled on system startup",
      "PACKER ERR 2020/03/26 21:00:05 packer: 2020/03/26 21:00:05 [ERROR] Remote command exited without exit status or exit signal.",
      "PACKER ERR 2020/03/27 00:10:00 Cancelling builder after context cancellation context canceled",
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.primary == "communicator-disconnected")
    let cause = try #require(diagnosis.findings.first)
    #expect(cause.message.contains("before the build was cancelled"))
    #expect(!cause.message.contains("waiting for input"))
    // The timeout on its own still says what a silent script may be doing.
    let timeout = try #require(diagnosis.findings.first { $0.id == "build-timeout" })
    #expect(timeout.message.contains("may be waiting for input"))
  }

  @Test func memoryPressureDuringWindowsUpdateExplainsAFailedBuild() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Running Windows update..."),
      new(
        "10:05:00", "ui: ==> azure-arm: Waiting for operation to complete (system performance: 51% cpu; 35% memory)..."),
      new(
        "10:25:00", "ui: ==> azure-arm: Waiting for operation to complete (system performance: 99% cpu; 97% memory)..."),
      new("10:40:00", "ui error: Build 'azure-arm' errored after 40 minutes: unexpected EOF"),
    ]
    let diagnosis = try diagnose(lines)
    let finding = try #require(diagnosis.findings.first { $0.id == "resource-exhaustion-small-vm" })
    #expect(finding.captures["memory"] == "97")
    #expect(finding.message.contains("97% of the VM's memory in use (line 3)"))
    #expect(diagnosis.primary == "resource-exhaustion-small-vm")
  }

  @Test(arguments: [("Standard_D4s_v5", "build-timeout"), ("Standard_D1_v2", "resource-exhaustion-small-vm")])
  func memoryPressureBeforeACancellationIsTheCauseOnlyOnTheSmallDefaultSize(size: String, primary: String) throws {
    let lines = [
      new(
        "10:00:00",
        "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:00 Azure: VMSize=\(size), Location=eastus"
      ),
      new("10:01:00", "ui: ==> azure-arm: Running Windows update..."),
      new(
        "13:50:00", "ui: ==> azure-arm: Waiting for operation to complete (system performance: 99% cpu; 97% memory)..."),
      new("14:00:00", "ui error: Cancelling build after receiving terminated"),
    ]
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == primary)
    let memory = try #require(diagnosis.findings.first { $0.id == "resource-exhaustion-small-vm" })
    if primary == "build-timeout" {
      #expect(memory.severity == .warning)
      #expect(memory.message.contains("memory pressure may have slowed it down on \(size)"))
      #expect(!diagnosis.chain.contains("resource-exhaustion-small-vm"))
    } else {
      #expect(memory.message.contains("most likely too small"))
    }
  }

  @Test func memoryPressureInASuccessfulBuildIsNotAFinding() throws {
    let lines = [
      new("10:00:00", "ui: ==> azure-arm: Running Windows update..."),
      new(
        "10:25:00", "ui: ==> azure-arm: Waiting for operation to complete (system performance: 99% cpu; 97% memory)..."),
      new("10:40:00", "ui: Build 'azure-arm' finished after 40 minutes."),
    ]
    #expect(try diagnose(lines).findings.filter { !$0.benign }.isEmpty)
  }
}

/// Logs that end while a step is still running: no final status, no cancellation, no export.
@Suite struct UnfinishedStepTests {
  /// AIB's deprovision step (old format) up to its telemetry-service wait, then `body`.
  func oldDeprovision(_ body: [String]) -> [String] {
    [
      "PACKER ERR 2023/07/18 14:10:00 [INFO] (telemetry) Starting provisioner powershell",
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER ERR 2023/07/18 14:10:00 packer-provisioner-powershell plugin: Found command: if( TEST-PATH c:\\DeprovisioningScript.ps1 ){cat c:\\DeprovisioningScript.ps1} else {echo \"Deprovisioning script [c:\\DeprovisioningScript.ps1] could not be found.\"}",
      "PACKER ERR 2023/07/18 14:10:01 packer-plugin-azure plugin: 2023/07/18 14:10:01 [INFO] starting remote command: powershell -executionpolicy bypass \"& { . c:/Windows/Temp/packer-ps-env-vars-1.ps1; &'c:/Windows/Temp/script-1.ps1'; exit $LastExitCode }\"",
      "PACKER OUT     azure-arm: >>> Waiting for GA Service (RdAgent) to start ...",
      "PACKER OUT     azure-arm: >>> Waiting for GA Service (WindowsAzureTelemetryService) to start ...",
    ] + body
  }

  /// The error record an override script prints each time it asks for the removed service.
  let telemetryRecord = [
    "PACKER OUT ==> azure-arm: Get-Service : Cannot find any service with service name 'WindowsAzureTelemetryService'.",
    "PACKER OUT ==> azure-arm: At C:\\DeprovisioningScript.ps1:3 char:9",
    "PACKER OUT ==> azure-arm: + while ((Get-Service WindowsAzureTelemetryService).Status -ne 'Running ...",
    "PACKER OUT ==> azure-arm:     + CategoryInfo          : ObjectNotFound: (WindowsAzureTelemetryService:String) [Get-Service], ServiceCommandException",
    "PACKER OUT ==> azure-arm:     + FullyQualifiedErrorId : NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand",
  ]

  @Test func aRepeatedFindingInTheStepStillRunningIsTheLikelyCause() throws {
    let lines = oldDeprovision(Array(Array(repeating: telemetryRecord, count: 20).joined()))
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == "sysprep-telemetry-service-missing")
    #expect(diagnosis.primaryRole == .likelyCause)
    #expect(diagnosis.chain.isEmpty)
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.severity == .warning)
    #expect(finding.customizer?.isAIBStep == true)
    #expect(finding.phase == .deprovision)
    #expect(finding.message.contains("still running"))
    #expect(finding.message.contains("likely cause"))
    #expect(finding.message.contains("on 20 lines"))
    // Where it began, and its last record; not the same header six times.
    #expect(finding.evidence.first?.line == 7)
    #expect(finding.evidence.contains { $0.line == lines.count - 4 })
    #expect(finding.evidence.filter { $0.text.contains("Cannot find any service") }.count == 2)
  }

  @Test func aServiceCheckTheStepWentOnFromIsNoLikelyCause() throws {
    // The default script checks for the service once and goes on to Sysprep.
    let diagnosis = try diagnose(
      oldDeprovision(
        telemetryRecord + [
          "PACKER OUT     azure-arm: >>> Waiting for GA Service (WindowsAzureGuestAgent) to start ...",
          "PACKER OUT     azure-arm: >>> Sysprepping VM ...",
          "PACKER OUT     azure-arm: IMAGE_STATE_COMPLETE",
        ]))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
    #expect(diagnosis.primaryRole == nil)
    #expect(diagnosis.findings.contains { $0.id == "sysprep-telemetry-service-missing" && !$0.benign })
  }

  @Test func anExcerptWithoutStepsNamesItsMostSpecificFindingAsTheLikelyCause() throws {
    // The catalog's excerpt of a File customizer's download (a log fragment, no customizer start).
    let excerpt = try diagnose([
      "[086cf9c4-0457-4e8f-bfd4-908cfe3fe43c] PACKER OUT",
      "myBigFile.zip 826 B / 826000 B  1.00%",
      "..",
      "myBigFile.zip 826000 B / 826000 B  100.00%",
    ])
    #expect(excerpt.timeline.customizers.isEmpty)
    #expect(excerpt.outcome == .incomplete)
    #expect(excerpt.primary == "file-customizer-large-download")
    #expect(excerpt.primaryRole == .likelyCause)
    #expect(excerpt.findings.first?.message.contains("no customizer and no final status") == true)

    // Text that is no log at all (outcome unknown): the same, and still a likely cause.
    let pasted = try diagnose([
      "Get-Service : Cannot find any service with service name 'WindowsAzureTelemetryService'."
    ])
    #expect(pasted.outcome == .unknown)
    #expect(pasted.primary == "sysprep-telemetry-service-missing")
    #expect(pasted.primaryRole == .likelyCause)

    // A generic record (rank under 50) printed once is no likely cause.
    let generic = try diagnose([
      "Remove-Item : Cannot find path 'C:\\Temp\\old' because it does not exist.",
      "    + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand",
    ])
    #expect(generic.primary == nil)
  }

  @Test func aCustomizerThatWritesTheDeprovisionOverrideIsTheUsersStep() throws {
    // It names c:\DeprovisioningScript.ps1 in its source; only AIB's own command, the running
    // script's errors and its output mark the deprovision step.
    let override = [
      "PACKER ERR 2023/07/18 14:05:00 [INFO] (telemetry) Starting provisioner powershell",
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER ERR 2023/07/18 14:05:00 packer-provisioner-powershell plugin: Found command: Invoke-WebRequest -Uri https://st.blob.core.windows.net/aib/Deprovision.ps1 -OutFile 'c:\\DeprovisioningScript.ps1'",
      "PACKER OUT     azure-arm: Writing c:\\DeprovisioningScript.ps1",
      "PACKER ERR 2023/07/18 14:05:04 packer-provisioner-powershell plugin: c:/Windows/Temp/script-1.ps1 returned with exit code 0",
      "PACKER ERR 2023/07/18 14:05:04 [INFO] (telemetry) ending powershell",
    ]
    let diagnosis = try diagnose(override + oldDeprovision(telemetryRecord))
    let steps = diagnosis.timeline.customizers
    #expect(steps.map(\.isAIBStep) == [false, true])
    #expect(steps.first?.templateIndex == 0)
    #expect(diagnosis.timeline.phases.filter { $0.phase == "deprovision" }.map(\.startLine) == [9])
  }

  @Test func aGenericRecordPrintedOnceIsNoLikelyCause() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new(
        "10:00:05", "ui error: ==> azure-arm: Remove-Item : Cannot find path 'C:\\Temp\\old' because it does not exist."
      ),
      new("10:00:05", "ui error: ==> azure-arm: At C:\\Windows\\Temp\\script-1.ps1:2 char:1"),
      new(
        "10:00:05",
        "ui error: ==> azure-arm:     + FullyQualifiedErrorId : PathNotFound,Microsoft.PowerShell.Commands.RemoveItemCommand"
      ),
    ])
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
  }

  @Test func aRecordARetryLoopRepeatsIsTheLikelyCauseWithItsErrorQuoted() throws {
    var lines = [new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell...")]
    for second in 1...4 {
      lines += [
        new(
          "10:0\(second):00",
          "ui error: ==> azure-arm: C:\\Windows\\Temp\\script-1.ps1 : The remote name could not be resolved: 'artifacts.contoso.local'"
        ),
        new(
          "10:0\(second):00",
          "ui error: ==> azure-arm:     + FullyQualifiedErrorId : Microsoft.PowerShell.Commands.WriteErrorException,script-1.ps1"
        ),
      ]
    }
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == "powershell-error-record")
    #expect(diagnosis.primaryRole == .likelyCause)
    let message = try #require(diagnosis.findings.first?.message)
    #expect(
      message.contains("error output: “The remote name could not be resolved: 'artifacts.contoso.local'”. The log ends")
    )
  }

  @Test func aPromptTheStepAnsweredIsNoLikelyCause() throws {
    let asked = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:05", "ui:     azure-arm: Do you want to continue? [Y/n] Y"),
    ]
    let answered = try diagnose(
      asked + [
        new("10:00:06", "ui:     azure-arm: Get:1 http://azure.archive.ubuntu.com/ubuntu jammy/main amd64 libpq5")
      ])
    #expect(answered.primary == nil)
    let waiting = try diagnose(asked)
    #expect(waiting.primary == "interactive-prompt")
    #expect(waiting.outcome == .incomplete)
    #expect(waiting.primaryRole == .likelyCause)
  }

  @Test func benignLinesAreNoLikelyCause() throws {
    var lines = [new("10:00:00", "ui: ==> azure-arm: Waiting for WinRM to become available...")]
    for second in 1...12 {
      lines.append(
        new(
          "10:01:\(second < 10 ? "0" : "")\(second)",
          "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:01:00 [ERROR] WinRM connection err: http response error: 401 - invalid content type"
        ))
    }
    let diagnosis = try diagnose(lines)
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
  }

  /// A Windows Update step on `size` whose memory readings reach 98 %, cut off before it ends.
  func windowsUpdateUnderPressure(size: String) -> [String] {
    [
      new(
        "06:00:00",
        "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 06:00:00 VMSize=\(size)"),
      new("06:10:00", "ui: ==> azure-arm: Running Windows update..."),
      new("06:12:00", "ui:     azure-arm: Downloading Windows updates (2 updates; 696.52 MB)..."),
      new(
        "06:20:00", "ui:     azure-arm: Waiting for operation to complete (system performance: 99% cpu; 98% memory)..."),
      new("06:30:00", "ui:     azure-arm: Waiting for the Windows Modules Installer to exit..."),
      new("06:30:01", "ui error: ==> azure-arm: A system shutdown is in progress.(1115)"),
    ]
  }

  @Test func memoryPressureInAWindowsUpdateStepStillRunningIsTheLikelyCause() throws {
    let diagnosis = try diagnose(windowsUpdateUnderPressure(size: "Standard_D1_v2"))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == "resource-exhaustion-small-vm")
    #expect(diagnosis.primaryRole == .likelyCause)
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.severity == .warning)
    #expect(finding.customizer?.type == "windows-update")
    #expect(
      finding.message.contains("98% of the VM's memory in use (line 4) on Standard_D1_v2, the small default size,"))
    #expect(!finding.message.contains("unexpected EOF"))
    #expect(finding.evidence.map(\.line) == [4, 5, 6])
  }

  @Test func memoryReadingsBelowTheThresholdAreNoLikelyCause() throws {
    var lines = windowsUpdateUnderPressure(size: "Standard_D4s_v5")
    lines[3] = new(
      "06:20:00", "ui:     azure-arm: Waiting for operation to complete (system performance: 60% cpu; 45% memory)...")
    #expect(try diagnose(lines).primary == nil)
  }

  /// AIB's deprovision step polling `count` times, `every` seconds apart, cut off while it polls.
  func pollingUntilTheEnd(count: Int, every seconds: Int) -> [String] {
    var lines = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:01", "ui:     azure-arm: >>> Sysprepping VM ..."),
    ]
    for poll in 1...count {
      let at = 2 + poll * seconds
      let stamp = String(format: "%02d:%02d:%02d", 10 + at / 3600, (at % 3600) / 60, at % 60)
      lines.append(new(stamp, "ui:     azure-arm: IMAGE_STATE_UNDEPLOYABLE"))
    }
    return lines
  }

  @Test func aSysprepStillInProgressWhereTheLogEndsIsNoLoop() throws {
    let diagnosis = try diagnose(pollingUntilTheEnd(count: 4, every: 5))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
    #expect(!diagnosis.findings.contains { $0.id == "sysprep-state-loop" })
  }

  @Test func aSysprepPollingLongerThanGeneralizingTakesIsTheLikelyCause() throws {
    let diagnosis = try diagnose(pollingUntilTheEnd(count: 200, every: 5))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == "sysprep-state-loop")
    #expect(diagnosis.primaryRole == .likelyCause)
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.severity == .warning)
    #expect(finding.message.contains("IMAGE_STATE_UNDEPLOYABLE 200 times over 16 min"))
    #expect(finding.message.contains("likely cause"))
  }

  @Test func theSameLoopEndedByACancellationIsStillTheRootCause() throws {
    let diagnosis = try diagnose(
      pollingUntilTheEnd(count: 4, every: 5) + [
        new("10:30:00", "ui error: Cancelling build after receiving terminated")
      ])
    #expect(diagnosis.outcome == .cancelled)
    #expect(diagnosis.primary == "sysprep-state-loop")
    #expect(diagnosis.primaryRole == .rootCause)
  }

  /// A Shell step (new format) that prints `Permission denied` and then `after`.
  func shellDenied(then after: [String]) -> [String] {
    [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:01", "ui:     azure-arm: Writing the build marker"),
      new("10:00:01", "ui error: ==> azure-arm: touch: cannot touch '/var/log/build-marker': Permission denied"),
    ] + after
  }

  @Test func anErrorTheRunningStepWentOnFromDoesNotMakeACutOffLogFailed() throws {
    let diagnosis = try diagnose(
      shellDenied(then: [
        new("10:00:02", "ui:     azure-arm: marker skipped"),
        new("10:00:30", "ui:     azure-arm: Unpacking agent into /home/packer/agent"),
      ]))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
    #expect(diagnosis.primaryRole == nil)
    #expect(diagnosis.findings.contains { $0.id == "sudo-permission-denied" })
  }

  @Test func anErrorThatIsTheLastThingTheStepShowsStillFailsACutOffLog() throws {
    // An excerpt that ends on the error: the log may stop where the user cut it, so the error is
    // taken as shown (as with a bare error line pasted alone).
    let diagnosis = try diagnose(shellDenied(then: []))
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "sudo-permission-denied")
    // The rest of its PowerShell record is not going on; output after the record is.
    let record = [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:05", "ui error: ==> azure-arm: Copy-Item : There is not enough space on the disk."),
      new("10:00:05", "ui error: ==> azure-arm: At C:\\Windows\\Temp\\script-1.ps1:3 char:1"),
      new("10:00:05", "ui error: ==> azure-arm: + Copy-Item D:\\media\\sql.iso C:\\Media"),
      new(
        "10:00:05", "ui error: ==> azure-arm:     + CategoryInfo          : WriteError: (:) [Copy-Item], IOException"),
      new(
        "10:00:05",
        "ui error: ==> azure-arm:     + FullyQualifiedErrorId : System.IO.IOException,Microsoft.PowerShell.Commands.CopyItemCommand"
      ),
    ]
    let endsOnRecord = try diagnose(record)
    #expect(endsOnRecord.outcome == .failed)
    #expect(endsOnRecord.primary == "disk-full")
    let wentOn = try diagnose(record + [new("10:00:06", "ui: ==> azure-arm: Skipping the media copy")])
    #expect(wentOn.outcome == .incomplete)
    #expect(wentOn.primary == nil)
  }

  @Test func theExitLineOfTheStepShowsTheFailureOfACutOffLog() throws {
    let diagnosis = try diagnose(
      shellDenied(then: [
        new("10:00:02", "ui:     azure-arm: marker skipped"),
        new(
          "10:00:03",
          "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:03 [ERROR] Remote command exited with '1': chmod +x /tmp/script_1.sh; /tmp/script_1.sh"
        ),
        new(
          "10:00:03", "ui: ==> azure-arm: Provisioning step had errors: Running the cleanup provisioner, if present..."),
      ]))
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "sudo-permission-denied")
  }

  @Test func anErrorOfAnEarlierStepThatEndedWellDoesNotMakeACutOffLogFailed() throws {
    let diagnosis = try diagnose(
      shellDenied(then: [
        new("10:00:02", "ui:     azure-arm: marker skipped"),
        new("10:00:03", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell2"),
        new("10:00:04", "ui:     azure-arm: Reading package lists..."),
      ]))
    #expect(diagnosis.outcome == .incomplete)
    #expect(diagnosis.primary == nil)
  }
}

/// A small deterministic generator, so a failure can be reproduced from its seed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

@Suite struct RobustnessTests {
  /// Fragments of real line shapes mixed with random bytes: whatever the input, the analysis
  /// ends with a diagnosis, never a crash or a hang.
  @Test(arguments: 0..<40)
  func anyBytesGiveADiagnosis(seed: Int) throws {
    var random = SplitMix64(state: UInt64(seed) &* 7919)
    let fragments = [
      "[1e3026b3-b765-4689-b4d1-66d6d9492c91] PACKER ", "PACKER OUT ", "PACKER ERR 2019/03/08 00:37:32 ",
      "2026/02/21 22:47:48 ", "ui error: ", "ui: ", "==> azure-arm: ", "    azure-arm: ", "--> azure-arm: ",
      "packer-provisioner-powershell plugin: ", "Found command: ", "IMAGE_STATE_UNDEPLOYABLE",
      "Cancelling build after receiving terminated", "Provisioning with Powershell...", "Restarting Machine",
      "Build 'azure-arm' errored: ", "Script exited with non-zero exit status: 1", "exited with code: 3010",
      "+ FullyQualifiedErrorId : ", "At C:\\x.ps1:1 char:1", "system performance: 9", "B / 1", "\r\n", "\n", "\u{0}",
      "[", "]", "'", "\"", "Done exporting Packer logs to Azure Storage.",
    ]
    var bytes: [UInt8] = []
    for _ in 0..<Int.random(in: 0...400, using: &random) {
      if Bool.random(using: &random) {
        bytes += Array(fragments.randomElement(using: &random)!.utf8)
      } else {
        for _ in 0..<Int.random(in: 1...20, using: &random) { bytes.append(UInt8.random(in: 0...255, using: &random)) }
      }
    }
    guard !bytes.isEmpty else { return }
    do {
      let input = try InputOpener.open(source: MemorySource(bytes, chunkLimit: 97), path: "random.log")
      let diagnosis = try analyzer.analyze(input, maxLineLength: 4096)
      #expect(diagnosis.input.bytes > 0)
      if let primary = diagnosis.primary { #expect(diagnosis.findings.first?.id == primary) }
    } catch {
      // Bytes that start like gzip and are not: a clean error naming the input.
      #expect(error.description.contains("random.log"))
    }
  }
}

@Suite struct ErrorOutputTests {
  @Test func aptsOwnErrorLineIsTheQuotedCauseOfAGenericExit() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: Reading package lists...",
      "PACKER OUT     azure-arm: E: Unable to locate package nginx-extras-foo",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(
      finding.message.hasSuffix("The step's error output: \u{201C}E: Unable to locate package nginx-extras-foo\u{201D}")
    )
    #expect(finding.evidence.map(\.line) == [3, 4])
    #expect(finding.customizer?.templateIndex == 0)
  }

  @Test func aPythonExceptionIsTheQuotedCauseOfAGenericExit() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: Traceback (most recent call last):",
      "PACKER OUT ==> azure-arm:   File \"/opt/contoso/render_config.py\", line 33, in main",
      "PACKER OUT ==> azure-arm:     tenant = os.environ['CONTOSO_TENANT_ID']",
      "PACKER OUT ==> azure-arm: KeyError: 'CONTOSO_TENANT_ID'",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 2. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(finding.message.hasSuffix("The step's error output: \u{201C}KeyError: 'CONTOSO_TENANT_ID'\u{201D}"))
    #expect(finding.evidence.map(\.line) == [2, 5, 6])
  }

  @Test func aLineThatPointsAtTheErrorAboveIsNotTheQuotedCause() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: Permission to access 'https://updates.suse.com/repodata/repomd.xml' denied.",
      "PACKER OUT ==> azure-arm: Please see the above error message for a hint.",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 4. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(
      finding.message.hasSuffix(
        "The step's error output: \u{201C}Permission to access 'https://updates.suse.com/repodata/repomd.xml' denied\u{201D}"
      ))
  }

  @Test func sudosRefusalIsTheQuotedCauseOfAGenericExit() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: + sudo -u svc_app /opt/app/bin/init-db --migrate",
      "PACKER OUT ==> azure-arm: sudo: a password is required",
      "PACKER OUT ==> azure-arm: sudo: unable to resolve host pkrvmdl6x0wa3qe: Name or service not known",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(finding.message.hasSuffix("The step's error output: \u{201C}sudo: a password is required\u{201D}"))
  }

  @Test func aJobKilledBySigkillIsQuotedAndPointsAtMemory() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: [ 47%] Building CXX object src/CMakeFiles/core.dir/planner.cpp.o",
      "PACKER OUT ==> azure-arm: /tmp/script_4410.sh: line 6:  4821 Killed                  make -j8",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 137. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(finding.message.contains("kernel's out-of-memory killer"))
    #expect(finding.message.hasSuffix("4821 Killed                  make -j8\u{201D}"))
    #expect(finding.fixes.first?.contains("properties.vmProfile.vmSize") == true)
    #expect(finding.evidence.contains { $0.text.contains(" Killed ") })
  }

  @Test func anExitOtherThan137SaysNothingAboutMemory() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem.",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 100. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(!finding.message.contains("out-of-memory"))
    #expect(
      finding.message.hasSuffix(
        "The step's error output: \u{201C}E: dpkg was interrupted, you must manually run 'sudo dpkg --configure -a' to correct the problem\u{201D}"
      ))
  }

  @Test func aToolsGivingUpLinesAreNotQuotedAsTheError() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: tar (child): /tmp/agent.tar.gz: Cannot open: No such file or directory",
      "PACKER OUT ==> azure-arm: tar (child): Error is not recoverable: exiting now",
      "PACKER OUT ==> azure-arm: tar: Child returned status 2",
      "PACKER OUT ==> azure-arm: tar: Error is not recoverable: exiting now",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 2. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(
      finding.message.hasSuffix(
        "The step's error output: \u{201C}tar (child): /tmp/agent.tar.gz: Cannot open: No such file or directory\u{201D}"
      ))
  }

  @Test func makesClosingWordsAreNotQuotedAsTheError() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:01", "ui:     azure-arm: cc -O2 -Wall -c src/collector.c -o build/collector.o"),
      new(
        "10:00:02",
        "ui error: ==> azure-arm: src/collector.c:41:10: fatal error: systemd/sd-journal.h: No such file or directory"),
      new("10:00:02", "ui error: ==> azure-arm: compilation terminated."),
      new("10:00:02", "ui error: ==> azure-arm: make[1]: *** [Makefile:12: build/collector.o] Error 1"),
      new("10:00:02", "ui error: ==> azure-arm: make: *** [Makefile:5: all] Error 2"),
      new(
        "10:00:03", "ui error: Build 'azure-arm' errored after 3 seconds: Script exited with non-zero exit status: 2"),
    ])
    #expect(diagnosis.primary == "script-nonzero-exit")
    #expect(
      diagnosis.findings.first?.message.contains("“src/collector.c:41:10: fatal error: systemd/sd-journal.h") == true)
  }

  @Test(arguments: [
    ("make: *** [Makefile:12: build/x.o] Error 1", true), ("make[2]: *** [src/Makefile:40: all] Error 2", true),
    ("make: *** No rule to make target 'install'.  Stop.", false), ("ninja: build stopped: subcommand failed.", true),
    ("Makefile:12: recipe for target 'build/x.o' failed", true), ("compilation terminated.", true),
    ("cc: error: unrecognized option '--frob'", false),
  ])
  func buildToolClosingWords(message: String, closing: Bool) {
    #expect(RunModelBuilder.isBuildToolClosing(message) == closing)
  }

  @Test func npmsLogPointerIsNotQuotedAsTheError() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: npm ERR! code E404",
      "PACKER OUT ==> azure-arm: npm ERR! 404  '@contoso/build-cli@2.1.0' is not in this registry.",
      "PACKER OUT ==> azure-arm: npm ERR! A complete log of this run can be found in: /root/.npm/_logs/x-debug-0.log",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(
      finding.message.hasSuffix(
        "The step's error output: \u{201C}npm ERR! 404  '@contoso/build-cli@2.1.0' is not in this registry\u{201D}"))
  }
  @Test func aRecordWithoutPositionDoesNotReachBackIntoPackersAnnouncement() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER OUT ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner5730353314",
      "PACKER OUT ==> azure-arm: Exception calling \"ReadAllBytes\" with \"1\" argument(s): \"Exception of type 'System.OutOfMemoryException' was thrown.\"",
      "PACKER OUT ==> azure-arm:     + CategoryInfo          : NotSpecified: (:) [], MethodInvocationException",
      "PACKER OUT ==> azure-arm:     + FullyQualifiedErrorId : OutOfMemoryException",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(finding.message.contains("The step's error output: \u{201C}Exception calling \"ReadAllBytes\""))
    #expect(!finding.evidence.contains { $0.text.contains("Provisioning with") })
  }
  @Test func aFailureWhileCapturingIsNotTheLastCustomizersFailure() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1",
      "PACKER OUT     azure-arm: >>> Sysprep complete ...",
      "PACKER OUT ==> azure-arm: Querying the machine's properties ...",
      "PACKER OUT ==> azure-arm: Powering off machine ...",
      "PACKER OUT ==> azure-arm: Snapshotting OS disk ...",
      "PACKER OUT ==> azure-arm: ERROR: -> OperationNotAllowed : Snapshot creation is not allowed for disk pkros1.",
      "PACKER OUT ==> azure-arm: Deleting Virtual Machine deployment and its attached resources...",
      "PACKER OUT Build 'azure-arm' errored: OperationNotAllowed : Snapshot creation is not allowed for disk pkros1.",
    ])
    #expect(diagnosis.outcome == .failed)
    let finding = try #require(diagnosis.findings.first { $0.id == diagnosis.primary })
    #expect(finding.customizer == nil)
    #expect(finding.phase == .distribute)
    #expect(diagnosis.timeline.customizers.allSatisfy { !$0.failed })
    #expect(finding.id == "unrecognised-failure")
    #expect(finding.fixes.allSatisfy { !$0.contains("onCustomizerError") && !$0.contains("customizer's script") })
  }
  @Test func aRestartTimeoutSaysHowLongThisRestartWaited() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Restarting Machine",
      "PACKER OUT ==> azure-arm: Waiting for machine to restart...",
      "PACKER ERR 2023/06/13 08:28:58 packer-provisioner-windows-restart plugin: Waiting for machine to reboot with timeout: 5m0s",
      "PACKER ERR 2023/06/13 08:28:58 packer-provisioner-windows-restart plugin: Waiting for machine to become available...",
      "PACKER OUT --> azure-arm: Timeout waiting for machine to restart.",
      "PACKER OUT Build 'azure-arm' errored: Timeout waiting for machine to restart.",
    ])
    #expect(diagnosis.primary == "windows-restart-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.fixes.first?.contains("this restart waited 5m0s") == true)
    #expect(finding.fixes.allSatisfy { !$0.contains("from 15m to 30m") })
  }

  @Test func anEarlierStepThatPrintedAnErrorAndWentOnIsNamedWithIt() throws {
    let failing = [
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell2",
      "PACKER OUT ==> azure-arm: tar (child): /tmp/agent.tar.gz: Cannot open: No such file or directory",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 2. Allowed exit codes are: [0]",
    ]
    let diagnosis = try diagnose(
      [
        "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
        "PACKER OUT ==> azure-arm: curl: (22) The requested URL returned error: 404",
        "PACKER OUT     azure-arm: download step finished",
      ] + failing)
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(finding.customizer?.templateIndex == 1)
    #expect(
      finding.message.contains(
        "\u{201D}. Before it, customizer #1 (Shell) printed \u{201C}curl: (22) The requested URL returned error: 404\u{201D}"
      ))
    #expect(finding.evidence.contains { $0.line == 2 })

    // An earlier step that printed nothing error-shaped is not named.
    let quiet = try diagnose(
      ["PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1", "PACKER OUT     azure-arm: ok"]
        + failing)
    #expect(quiet.findings.first.map { !$0.message.contains("Before it") } == true)
  }

  @Test func aWindowsInstallerExitCodeIsExplained() throws {
    let lines = [
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER OUT ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1",
      "PACKER OUT     azure-arm: msiexec exit code: 1619",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1619. Allowed exit codes are: [0]",
    ]
    var finding = try #require(try diagnose(lines).findings.first)
    #expect(finding.message.contains("Code 1619 is Windows Installer's ERROR_INSTALL_PACKAGE_OPEN_FAILED"))
    // The same number from a Linux script is not msiexec's.
    finding = try #require(
      try diagnose([
        "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
        "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1619. Allowed exit codes are: [0]",
      ]).findings.first)
    #expect(!finding.message.contains("Windows Installer"))
  }

  @Test func aCommandsRecordIsQuotedByItsHeaderUnlessLaterOutputSaysMore() throws {
    let record = [
      "PACKER OUT ==> azure-arm: Invoke-WebRequest : <Error><Code>NoAuthenticationInformation</Code><Message>Server failed to authenticate the request.",
      "PACKER OUT ==> azure-arm: RequestId:6a2f0c1e-801e-0062-2b4c-c3f1e2000000",
      "PACKER OUT ==> azure-arm: Time:2026-02-21T22:49:12.4417712Z</Message></Error>",
      "PACKER OUT ==> azure-arm: At C:\\Windows\\Temp\\script-1.ps1:1 char:1",
      "PACKER OUT ==> azure-arm:     + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-WebRequest], WebException",
      "PACKER OUT ==> azure-arm:     + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand",
    ]
    let start = [
      "PACKER OUT ==> azure-arm: Provisioning with Powershell...",
      "PACKER OUT ==> azure-arm: Provisioning with powershell script: /tmp/powershell-provisioner1",
    ]
    let end =
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"
    var finding = try #require(try diagnose(start + record + [end]).findings.first { $0.id == "script-nonzero-exit" })
    #expect(
      finding.message.contains("error output: \u{201C}Invoke-WebRequest : <Error><Code>NoAuthenticationInformation"))
    finding = try #require(
      try diagnose(
        start + record + ["PACKER OUT ==> azure-arm: Product: Contoso VPN Client -- Configuration failed", end]
      )
      .findings.first { $0.id == "script-nonzero-exit" })
    #expect(finding.message.contains("error output: \u{201C}Product: Contoso VPN Client -- Configuration failed"))
  }

  @Test func windowsUpdateAdviceForThisErrorComesFirst() throws {
    let head = [
      "PACKER OUT ==> azure-arm: Running Windows update...",
      "PACKER OUT     azure-arm: Installing Windows updates...",
    ]
    var finding = try #require(
      try diagnose(head + ["PACKER OUT Build 'azure-arm' errored: the windows update api is in an invalid state."])
        .findings.first)
    #expect(finding.id == "windows-update-failed")
    #expect(finding.fixes.first?.hasPrefix("Exit status 16001 or another number") == true)
    finding = try #require(
      try diagnose(
        head + [
          "PACKER OUT     azure-arm: ERROR: Exception from HRESULT: 0x8024401C",
          "PACKER OUT Build 'azure-arm' errored: Windows update script exited with non-zero exit status: 1",
        ]
      ).findings.first)
    #expect(finding.fixes.first?.hasPrefix("0x8024401C, 0x80244019") == true)
    finding = try #require(
      try diagnose(
        head + [
          "PACKER OUT     azure-arm: ERROR: Exception from HRESULT: 0x80240016",
          "PACKER OUT Build 'azure-arm' errored: Windows update script exited with non-zero exit status: 1",
        ]
      ).findings.first)
    #expect(finding.fixes.first?.hasPrefix("0x80240016") == true)
  }

  @Test func aScriptsOwnChecksumCheckIsFixedInTheScript() throws {
    let finding = try #require(
      try diagnose([
        "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
        "PACKER OUT ==> azure-arm: Checksum verification failed: expected 9b7d3c6a1e4f2b8d5c0a7e6f3d2b1a9c, got 4e1d0c9b8a7f6e5d4c3b2a1908f7e6d5",
        "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
      ]).findings.first)
    #expect(finding.id == "checksum-mismatch")
    #expect(finding.fixes.first?.hasPrefix("The check that failed is in the script of customizer #1") == true)
    // Not in a script step's output (a pasted run status): the template's sha256Checksum advice.
    let status = try #require(
      try diagnose(["Checksum verification failed: expected 9b7d3c6a1e4f2b8d5c0a7e6f3d2b1a9c, got 4e1d0c9b8a7f6e5d"])
        .findings.first)
    #expect(status.fixes.first?.hasPrefix("Recompute the SHA-256") == true)
  }

  @Test func waagentThatRanButFailedIsNotAMissingAgent() throws {
    let head = [
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT     azure-arm: /usr/sbin/waagent -force -deprovision+user && export HISTSIZE=0 && sync",
    ]
    let end =
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"
    var finding = try #require(
      try diagnose(
        head + [
          "PACKER OUT     azure-arm: ERROR MainThread Failed to run 'deprovision': [Errno 2] No such file or directory: '/etc/sysconfig/network-scripts/ifcfg-eth0'",
          end,
        ]
      ).findings.first)
    #expect(finding.id == "waagent-deprovision-failed")
    #expect(finding.message.contains("waagent ran but could not deprovision this distribution"))
    #expect(finding.message.contains("ifcfg-eth0"))
    #expect(finding.fixes.allSatisfy { !$0.contains("Keep the WALinuxAgent package installed") })
    #expect(finding.fixes.first?.hasPrefix("Write your own /tmp/DeprovisioningScript.sh") == true)
    #expect(finding.variant == "waagent-could-not-deprovision")
    #expect(
      finding.message
        == "The Linux deprovision step failed: waagent ran but could not deprovision this distribution "
        + "(\u{201C}[Errno 2] No such file or directory: '/etc/sysconfig/network-scripts/ifcfg-eth0'\u{201D}).")
    #expect(finding.fixes.count == 2 && finding.fixes[1].hasPrefix("Test waagent -force -deprovision+user"))
    finding = try #require(
      try diagnose(
        head + ["PACKER OUT     azure-arm: /tmp/DeprovisioningScript.sh: 1: /usr/sbin/waagent: not found", end]
      ).findings.first)
    #expect(finding.fixes.first?.hasPrefix("Keep the WALinuxAgent package installed") == true)
    #expect(finding.variant == nil)
  }

  @Test func aRecordHeaderTheConsoleWrappedIsQuotedWhole() throws {
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:00", "ui: ==> azure-arm: Provisioning with powershell script: /aib/packerInput/8e5b.1.customizer.fp"),
      new("10:00:20", "ui: ==> azure-arm: === Installing AVD PowerShell modules ==="),
      new(
        "10:00:21",
        "ui error: ==> azure-arm: Install-Module : No match was found for the specified search criteria and module name 'Az.DesktopVirtualizaton'. Try"
      ),
      new("10:00:21", "ui error: ==> azure-arm: Get-PSRepository to see all available registered module repositories."),
      new("10:00:21", "ui error: ==> azure-arm: At C:\\Windows\\Temp\\script-1.ps1:14 char:1"),
      new("10:00:21", "ui error: ==> azure-arm: + Install-Module -Name Az.DesktopVirtualizaton -Force"),
      new(
        "10:00:21",
        "ui error: ==> azure-arm:     + FullyQualifiedErrorId : NoMatchFoundForCriteria,Microsoft.PowerShell.PackageManagement.Cmdlets.InstallPackage"
      ),
      new(
        "10:00:22",
        "ui error: Build 'azure-arm' errored after 22 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"
      ),
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(
      finding.message.contains(
        "error output: \u{201C}Install-Module : No match was found for the specified search criteria and module name 'Az.DesktopVirtualizaton'. Try Get-PSRepository to see all"
      ))
    #expect(finding.evidence.contains { $0.line == 4 })
    // A short line before a header without ` : ` is the script's own output, not part of it.
    #expect(!finding.evidence.contains { $0.line == 3 })
  }

  @Test func aToolSayingItsProcessExitedWithAnErrorCodeIsQuoted() throws {
    let diagnosis = try diagnose([
      "PACKER OUT ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1",
      "PACKER OUT ==> azure-arm: Job for contoso-agent.service failed because the control process exited with error code.",
      "PACKER OUT ==> azure-arm: See \"systemctl status contoso-agent.service\" and \"journalctl -xeu contoso-agent.service\" for details.",
      "PACKER ERR 2024/01/16 19:03:40 packer-plugin-azure plugin: 2024/01/16 19:03:40 [ERROR] Remote command exited with '1': chmod +x /tmp/script_1.sh; /tmp/script_1.sh",
      "PACKER OUT Build 'azure-arm' errored: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]",
    ])
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.id == "script-nonzero-exit")
    #expect(
      finding.message.hasSuffix(
        "error output: \u{201C}Job for contoso-agent.service failed because the control process exited with error code\u{201D}"
      ))
  }

  @Test func aFileCustomizersFailureListsItsOwnFieldsFirst() throws {
    let url = "https://st.blob.core.windows.net/media/agent.msi"
    let failed =
      "Downloading external file (\(url)) to local file (4d2a.1.customizer.fp) [attempt 10 of 10] failed: Error downloading '\(url)' to '4d2a.1.customizer.fp': 'Bad status downloading from url '\(url) 404 Not Found'"
    let finding = try #require(
      try diagnose([
        "PACKER ERR 2023/05/22 11:00:00 [INFO] (telemetry) Starting provisioner file",
        "PACKER OUT ==> azure-arm: Uploading \(url) => C:\\Installers\\agent.msi",
        "PACKER ERR 2023/05/22 11:09:00 packer-provisioner-file plugin: \(failed)",
        "PACKER OUT Build 'azure-arm' errored: \(failed)",
      ]).findings.first)
    #expect(finding.id == "file-download-failed")
    #expect(finding.customizer?.type == "file")
    #expect(finding.templatePaths.first == "properties.customize[].sourceUri")
    #expect(finding.templatePaths.contains("properties.customize[].scriptUri"))
  }

  @Test func aPolicyDenialNamesTheResourceAndThePolicy() throws {
    func lines(_ resource: String) -> [String] {
      [
        "PACKER OUT ==> azure-arm: Deploying deployment template ...",
        "PACKER OUT ==> azure-arm: ERROR: -> InvalidTemplateDeployment : The template deployment failed because of policy violation. Please see details for more information.",
        "PACKER OUT ==> azure-arm: ERROR:   -> RequestDisallowedByPolicy : Resource '\(resource)' was disallowed by policy. Policy identifiers: '[{\"policyAssignment\":{\"name\":\"KV guardrails\",\"id\":\"/x\"},\"policyDefinition\":{\"name\":\"Azure Key Vault should disable public network access\",\"id\":\"/y\"}}]'.",
        "PACKER OUT Build 'azure-arm' errored: ERROR: -> InvalidTemplateDeployment : The template deployment failed because of policy violation. Please see details for more information.",
      ]
    }
    let finding = try #require(try diagnose(lines("pkrkvae88ahyc10")).findings.first)
    #expect(finding.id == "policy-violation")
    #expect(finding.message.contains("The denied resource is pkrkvae88ahyc10, the key vault Packer creates"))
    #expect(finding.message.contains("policy assignment \u{201C}KV guardrails\u{201D}"))
    #expect(
      finding.message.contains("(definition \u{201C}Azure Key Vault should disable public network access\u{201D})"))
    #expect(finding.fixes.first?.contains("Key Vault Packer creates") == true)
    // Another resource keeps the general advice first.
    let other = try #require(
      try diagnose(lines("stcontoso01")).findings.first)
    #expect(other.message.contains("The denied resource is stcontoso01;"))
    #expect(other.fixes.first?.hasPrefix("Read the RequestDisallowedByPolicy detail") == true)
  }
}

/// Run statuses as users paste them: `az image builder show` JSON, YAML, PowerShell's list view.
@Suite struct RunStatusTests {
  let denied =
    "Failed in distributing 1 images out of total 1: {[Error 0] [Distribute 0] Error publishing MDI to Azure Compute Gallery:/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d, Location:eastus2. Error: compute.GalleryImageVersionsClient#CreateOrUpdate: Failure sending request: StatusCode=403 -- Original Error: Code=\"AuthorizationFailed\" Message=\"The client 'c' with object id 'c' does not have authorization to perform action 'Microsoft.Compute/galleries/images/versions/write' over scope '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/galleries/g/images/d/versions/1.0.0' or the scope is invalid.\"}"

  @Test func powerShellsListViewGivesTheRunStateAndWhereTheRunStopped() throws {
    let diagnosis = try diagnose([
      "Name                       : tpl-rhel9",
      "LastRunStatusMessage       : Not authorized to access the resource: /subscriptions/s/resourceGroups/rg-aib-staging. Please check the user assigned identity has the correct permissions. For more details, go to https://aka.ms/azvmimagebuilderts.",
      "LastRunStatusRunState      : Failed",
      "LastRunStatusRunSubState   : Building",
      "ProvisioningState          : Succeeded",
    ])
    #expect(diagnosis.kind == .runStatus)
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "identity-not-authorized")
    #expect(diagnosis.findings.first?.phase == .provisioning)
  }

  @Test func aDistributionTargetTheIdentityMayNotWriteIsAPermissionInTheDistributePhase() throws {
    // A one-line status with no runSubState: the [Distribute 0] error says where the run stopped.
    let diagnosis = try diagnose(["Deployment failed. Correlation ID: 0e4b7c21. " + denied])
    #expect(diagnosis.primary == "identity-not-authorized")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.phase == .distribute)
    #expect(finding.variant == "distribution-target")
    #expect(finding.message.contains("may not perform Microsoft.Compute/galleries/images/versions/write"))
    #expect(finding.templatePaths.prefix(2) == ["identity", "properties.distribute[0]"])
    #expect(diagnosis.chain == ["distribution-failed-generic"])
  }

  /// What a browser shows for the log's URL when the staging account allows no anonymous access.
  let publicAccessXML = [
    "<Error>",
    "<Code>PublicAccessNotPermitted</Code>",
    "<Message>Public access is not permitted on this storage account. RequestId:0771516a-c01e-0006-7691-4a727d000000 Time:2022-04-07T15:07:21.3330104Z</Message>",
    "</Error>",
  ]

  @Test func thePublicAccessErrorBesideTheLogsURLIsTheLogLinkNotTheBuild() throws {
    // A user pastes the run status, then what opening its log link returned (catalog H3).
    let diagnosis = try diagnose(
      [
        "Deployment failed. Correlation ID: 5bb0a03a-1111. During the image build a failure has occurred. Please review the build log to identify which build/customization step failed. For more troubleshooting steps go to https://aka.ms/azvmimagebuilderts. Image build log location: https://xk.blob.core.windows.net/packerlogs/01a41885-d410/customization.log. OperationId: 019d793b. Use this operationId to search packer logs.",
        "",
        "When I open the log location I get:",
      ] + publicAccessXML)
    #expect(diagnosis.outcome == .failed)
    #expect(diagnosis.primary == "packer-build-failed")
    #expect(!diagnosis.findings.contains { $0.id == "storage-public-access-blocked" })
    let link = try #require(diagnosis.findings.first { $0.id == "log-link-public-access-not-permitted" })
    #expect(link.benign)
    #expect(link.message.contains("https://xk.blob.core.windows.net/packerlogs/01a41885-d410/customization.log"))
    #expect(link.evidence.map(\.line) == [5, 6])
    // The XML's lines are not the wrapper's evidence: they are no build output.
    #expect(diagnosis.findings.first?.evidence.map(\.line) == [1])

    // The location alone, without the wrapper's words, says the same.
    let located = try diagnose(
      ["Image build log location: https://xk.blob.core.windows.net/packerlogs/01a41885-d410/customization.log."]
        + publicAccessXML)
    #expect(located.findings.contains { $0.id == "log-link-public-access-not-permitted" })
    #expect(!located.findings.contains { $0.id == "storage-public-access-blocked" })
  }

  @Test func thePublicAccessErrorInACustomizersOutputIsTheArtifactsStorage() throws {
    // In a customization.log the same XML is a download the build could not make (catalog D10),
    // even when a status line naming the log's URL was pasted above it.
    let diagnosis = try diagnose(
      [
        "Image build log location: https://xk.blob.core.windows.net/packerlogs/01a41885-d410/customization.log.",
        new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/script.sh"),
      ] + publicAccessXML.map { new("10:00:05", "ui:     azure-arm: " + $0) })
    #expect(diagnosis.findings.contains { $0.id == "storage-public-access-blocked" })
    #expect(!diagnosis.findings.contains { $0.id == "log-link-public-access-not-permitted" })
  }

  @Test func aVariantsTemplatePathsAreFilledFromTheCaptures() throws {
    let finding = try #require(
      try diagnose([
        #"    "message": "Validation failed: 'ImageTemplate.properties': Field 'distribute[0].type' has a bad value: 'sharedImage'. Please review http://aka.ms/azvmimagebuildertmplref for details on fields requirements in the Image Builder Template.","#,
        #"    "provisioningErrorCode": "BadDistributeType""#,
        #"  "provisioningState": "Failed","#,
      ]).findings.first)
    #expect(finding.id == "template-field-bad-value")
    #expect(
      finding.templatePaths == [
        "properties.distribute[0].type", "properties.source.imageId", "properties.distribute[].type",
      ])
  }
}

/// The failure catalog's section 3 (classification rules, precedence and disambiguation).
@Suite struct ClassificationRuleTests {
  let plugin = "packer-plugin-azure_v2.5.1_x5.0_linux_amd64 plugin: 2026/02/21 10:00:00"

  @Test func aGalleryPublishingDeadlineIsTheDistributionTimeoutWithoutTheFutureWaitText() throws {
    // Rule 2: Future#WaitForCompletion ... context deadline exceeded is F1 when the gallery (MDI)
    // text is there, also without the "Error waiting on ... future" part.
    let diagnosis = try diagnose([
      #"  "lastRunStatus": {"#,
      #"    "message": "Failed in distributing 1 images out of total 1: {[Error 0] [Distribute 0] Error publishing MDI to Azure Compute Gallery:/subscriptions/s/resourceGroups/rg-gallery/providers/Microsoft.Compute/galleries/galCorp/images/win2022, Location:eastus. Error: Future#WaitForCompletion: context has been cancelled: StatusCode=200 -- Original Error: context deadline exceeded}","#,
      #"    "runState": "Failed","#,
      #"    "runSubState": "Distributing""#,
      #"  },"#,
    ])
    #expect(diagnosis.primary == "sig-distribution-timeout")
    let finding = try #require(diagnosis.findings.first)
    #expect(finding.captures["gallery"] == "galCorp")
    #expect(finding.captures["image"] == "win2022")
    #expect(diagnosis.chain == ["distribution-failed-generic"])
  }

  @Test func anInternalErrorSuggestsARetryAfterThePermissionsAndThenASupportCase() throws {
    // Rule 7: a service error (A8) gets a retry and a support case, after the permissions.
    let diagnosis = try diagnose([
      #"  "lastRunStatus": {"#,
      #"    "message": "Internal error occurred. This is a generic error. To identify possible causes, go to https://aka.ms/azvmimagebuilderts.","#,
      #"    "runState": "Failed","#,
      #"    "runSubState": "Building""#,
      #"  },"#,
    ])
    #expect(diagnosis.primary == "internal-error-generic")
    let fixes = try #require(diagnosis.findings.first).fixes
    let permissions = try #require(fixes.firstIndex { $0.contains("has the roles it needs") })
    let retry = try #require(fixes.firstIndex { $0.contains("Run the build again") })
    let support = try #require(fixes.firstIndex { $0.contains("open a support case") })
    #expect(permissions < retry && retry < support)
  }

  @Test func aFileCustomizerThatDownloadsTheDeprovisionOverrideIsTheTemplatesStep() throws {
    // Rule 4: only AIB's own upload of the deprovision script is left out of the index, not a
    // File customizer that writes its own override of it (catalog section 1).
    let diagnosis = try diagnose([
      new(
        "10:00:00",
        "ui: ==> azure-arm: Uploading /aib/packerInput/DeprovisioningScript.txt => c:\\DeprovisioningScript.ps1"),
      new(
        "10:00:01",
        "ui: ==> azure-arm: Uploading https://st.blob.core.windows.net/aib/DeprovisioningScript.ps1 => c:\\DeprovisioningScript.ps1"
      ),
      new("10:00:02", "ui: ==> azure-arm: Provisioning with Powershell..."),
      new("10:00:03", "ui error: ==> azure-arm: choco : The term 'choco' is not recognized"),
      new(
        "10:00:04",
        "ui error: Build 'azure-arm' errored after 4 seconds: Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"
      ),
    ])
    let steps = diagnosis.timeline.customizers
    #expect(steps.map(\.isAIBStep) == [true, false, false])
    #expect(steps.map(\.templateIndex) == [nil, 0, 1])
    #expect(diagnosis.primary == "script-nonzero-exit")
    #expect(diagnosis.findings.first?.customizer?.templateIndex == 1)
  }

  @Test func aFinalUnexpectedEOFWinsOverTheWindowsUpdateErrorItsStepPrinted() throws {
    // Rule 2: "unexpected EOF" is the failure (D15), not the Windows Update error printed before.
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Running Windows update..."),
      new("10:01:00", "ui:     azure-arm: ERROR: Exception from HRESULT: 0x80240016"),
      new("10:05:00", "ui error: Build 'azure-arm' errored after 5 minutes: unexpected EOF"),
      new("10:05:00", "machine readable: azure-arm,error []string{\"unexpected EOF\"}"),
      new("10:05:00", "ui error: --> azure-arm: unexpected EOF"),
    ])
    #expect(diagnosis.primary == "resource-exhaustion-small-vm")
    #expect(diagnosis.chain == ["windows-update-failed"])
  }

  /// A Shell step that prints `Permission denied`, goes on, and then ends with `reason`.
  func shellStepWithAnIgnoredDenial(ending reason: String) -> [String] {
    [
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:01", "ui error: ==> azure-arm: touch: cannot touch '/etc/motd.d/banner': Permission denied"),
      new("10:00:02", "ui:     azure-arm: Configuring services"),
      new("10:00:03", "ui:     azure-arm: Rebooting now"),
      new("10:00:04", "\(plugin) [ERROR] Remote command exited without exit status or exit signal."),
      new("10:00:05", "ui error: Build 'azure-arm' errored after 5 seconds: \(reason)"),
    ]
  }

  @Test func aSpecificFinalErrorWinsOverWhatItsStepPrintedBefore() throws {
    // Rule 2: the step's output refines only the generic script exit (D4 to D5, D6, D8); a
    // disconnect (C4) is the failure whatever the script printed before it.
    let disconnected = try diagnose(
      shellStepWithAnIgnoredDenial(
        ending: "Script disconnected unexpectedly. If you expected your script to disconnect, i.e. from a restart, "
          + "you can try adding `\"expect_disconnect\": true` or `\"valid_exit_codes\": [0, 2300218]` to the shell "
          + "provisioner parameters."))
    #expect(disconnected.primary == "script-disconnected-unexpectedly")
    #expect(disconnected.chain.contains("sudo-permission-denied"))

    let exited = try diagnose(
      shellStepWithAnIgnoredDenial(ending: "Script exited with non-zero exit status: 1. Allowed exit codes are: [0]"))
    #expect(exited.primary == "sudo-permission-denied")
  }

  /// A WinRM timeout of a build VM of `size`.
  func winRMTimeout(size: String) -> [String] {
    [
      new("10:00:00", "\(plugin) VMSize=\(size)"),
      new("10:00:05", "ui: ==> azure-arm: Waiting for WinRM to become available..."),
      new("10:30:05", "ui error: ==> azure-arm: Timeout waiting for WinRM."),
      new("10:30:06", "ui error: Build 'azure-arm' errored after 30 minutes 6 seconds: Timeout waiting for WinRM."),
    ]
  }

  @Test func theLargerSizeFixComesFirstOnlyOnTheSmallDefault() throws {
    // Rule 6: on Standard_D1_v2 the vmSize fix comes first; on a size the log names otherwise,
    // the class's other fixes do.
    let small = try #require(try diagnose(winRMTimeout(size: "Standard_D1_v2")).findings.first)
    #expect(small.id == "winrm-timeout")
    #expect(small.fixes.first?.contains("properties.vmProfile.vmSize") == true)

    let large = try #require(try diagnose(winRMTimeout(size: "Standard_D4s_v5")).findings.first)
    #expect(large.id == "winrm-timeout")
    #expect(large.fixes.first?.contains("properties.vmProfile.vmSize") == false)
    #expect(large.fixes.suffix(2).first?.contains("properties.vmProfile.vmSize") == true)
    #expect(large.fixes.last?.hasPrefix("This build ran on Standard_D4s_v5") == true)
  }

  @Test func anErrorAStepWentOnFromDoesNotFailABuildPackerFinished() throws {
    // Rule 2: a build fails by Packer's final error; one that finished has none.
    let diagnosis = try diagnose([
      new("10:00:00", "ui: ==> azure-arm: Provisioning with shell script: /tmp/packer-shell1"),
      new("10:00:01", "ui error: ==> azure-arm: touch: cannot touch '/var/log/build-marker': Permission denied"),
      new("10:00:02", "ui:     azure-arm: continuing"),
      new("10:00:03", "ui: ==> azure-arm: Querying the machine's properties ..."),
      new(
        "10:00:04",
        "ui: ==> azure-arm:  -> Snapshot ID : '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/snapshots/x'"
      ),
      new("10:00:05", "ui: Build 'azure-arm' finished after 5 seconds."),
      "\(op) ==> Builds finished but no artifacts were created.",
    ])
    #expect(diagnosis.outcome == .succeeded)
    #expect(diagnosis.primary == nil)
    #expect(diagnosis.findings.contains { $0.id == "sudo-permission-denied" })
  }
}
