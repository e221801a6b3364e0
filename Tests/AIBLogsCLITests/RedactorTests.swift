import AIBLogsReporting
import Testing

/// The redaction rules, one case per way a secret shows up in real build output (found by an
/// audit that planted secrets in logs and searched every report format for them). Each case
/// names the secret text that must go and the text around it that must stay.
@Suite struct RedactorTests {
  struct Case: CustomStringConvertible, Sendable {
    let line: String
    let secret: String
    let kept: String
    var description: String { String(line.prefix(60)) }
  }

  static let secretCases: [Case] = [
    Case(
      line: "GET https://st.blob.core.windows.net/c/a.ps1?sv=2022-11-02&se=2026-01-01&sig=AbC%2BdEf%3D123 failed",
      secret: "AbC%2BdEf", kept: "sv=2022-11-02"),
    Case(line: #"{"uri": "https://st/c/a?sv=1\u0026sig=Zz9Yy8Xx7Ww6"}"#, secret: "Zz9Yy8Xx7Ww6", kept: "sv=1"),
    Case(line: "url=https://st/c/a%3Fsv%3D1%26sig%3DQq1Ww2Ee3Rr4 404", secret: "Qq1Ww2Ee3Rr4", kept: "404"),
    Case(
      line:
        "ERROR: az storage blob download --account-key m1pru1+G/qSSKchJDrASWjJ+NEQiC95QumyMc7d8e9f0A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8S9t0Uv==",
      secret: "qSSKchJDrASWjJ", kept: "az storage blob download"),
    Case(
      line: "cut: key m1pru1+G/qSSKchJDrASWjJ+NEQiC95QumyMc7d8e9f0A1b2C3d4E5f6G7h8I9j0K1l2M\u{2026}",
      secret: "qSSKchJDrASWjJ", kept: "cut: key"),
    Case(
      line: "token eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQ\u{2026}",
      secret: "eyJhbGciOiJSUzI1NiIsInR5cCI6", kept: "token"),
    Case(line: #"$AdminPassword = 'Wint3r-Is-C0ming-7731!'"#, secret: "Wint3r-Is-C0ming", kept: "$AdminPassword"),
    Case(line: #"$env:SQL_SA_PASSWORD="Pa55-w0rd-SQL""#, secret: "Pa55-w0rd-SQL", kept: "$env:SQL_SA_PASSWORD"),
    Case(line: #"body={\"adminPassword\":\"Hx7-Secret-99\",\"code\":\"X\"}"#, secret: "Hx7-Secret-99", kept: "code"),
    Case(line: #"{\\\"password\\\":\\\"Dbl-Esc-P4ss\\\"}"#, secret: "Dbl-Esc-P4ss", kept: "password"),
    Case(line: "mount -o username=svc,password=Ab9&Kz,vers=3.0 failed", secret: "Ab9&Kz", kept: "vers=3.0"),
    Case(
      line: "AZURE_CLIENT_SECRET=Qv8Q~k2mTz7pLx0Vb3Nc6Ma9Sd2Fg5Hj8Kl1", secret: "k2mTz7pLx0",
      kept: "AZURE_CLIENT_SECRET"),
    Case(
      line: "az login --service-principal -u 1234 -p Qv8Q~k2mTz7pLx0Vb3Nc6Ma9Sd2 --tenant t", secret: "k2mTz7pLx0",
      kept: "--tenant"),
    Case(line: "az ad sp create --password S3cr3t-V4lue-123 --years 1", secret: "S3cr3t-V4lue", kept: "--years 1"),
    Case(
      line: "$pw = ConvertTo-SecureString -AsPlainText -Force -String 'Plain-T3xt-Pw'", secret: "Plain-T3xt-Pw",
      kept: "-AsPlainText"),
    Case(
      line: "New-LocalUser x -Password (ConvertTo-SecureString 'Paren-Pw-42' -AsPlainText -Force)",
      secret: "Paren-Pw-42", kept: "New-LocalUser"),
    Case(
      line: "git clone https://abcdef0123456789pat@dev.azure.com/org/p/_git/r", secret: "abcdef0123456789pat",
      kept: "dev.azure.com"),
    Case(line: "GITHUB_TOKEN=ghp_AbCdEf0123456789AbCdEf0123456789AbCd", secret: "ghp_AbCdEf0123", kept: "GITHUB_TOKEN"),
    Case(line: "-----BEGIN RSA PRIVATE KEY----- MIIEpAIBAAKCAQEA", secret: "MIIEpAIBAAKCAQEA", kept: "BEGIN"),
    Case(
      line: "MIIEpAIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0", secret: "MIIEpAIBAAKCAQEA",
      kept: "REDACTED"),
    Case(
      line: "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY id AKIAIOSFODNN7EXAMPLE",
      secret: "AKIAIOSFODNN7", kept: "id"),
    Case(line: "Driver=x;Server=s;PWD={a;b;c};Database=d", secret: "a;b;c", kept: "Database=d"),
    Case(line: "net user builder Sup3r-S3cret /add", secret: "Sup3r-S3cret", kept: "/add"),
    Case(
      line: #"{"id": "https://kv.vault.azure.net/secrets/lic/5c2d", "value": "kv-Lic3nse-9F2D"}"#, secret: "kv-Lic3nse",
      kept: "secrets/lic"),
  ]

  @Test(arguments: secretCases)
  func aSecretIsMaskedAndItsContextKept(_ item: Case) {
    let redacted = Redactor().redact(item.line)
    #expect(!redacted.contains(item.secret), "\(redacted)")
    #expect(redacted.contains(item.kept), "\(redacted)")
  }

  /// Text that looks like a secret but is what the diagnosis is about.
  static let harmless = [
    "npm ERR! sha512-0v7rMqC9vGx5uW8Sx2ZyKkdDqBoR3+0sYmC6yEDlX1Y2k0N1ScFg1W1K2rKpDhH8nq2l5x4vXyZ0aB1cD2eF3g== integrity checksum failed",
    "Checksum verification failed: expected 9b7d3c6a1e4f2b8d5c0a7e6f3d2b1a9c8e7f6d5c4b3a2918f7e6d5c4b3a29180",
    "at createError (file:///C:/Windows/System32/config/systemprofile/AppData/Roaming/npm/node_modules/x.js:34:20)",
    "see https://github.com/danielsollondon/azvmimagebuilder/blob/master/MayServiceAlert01.md",
    "/subscriptions/5b7e2c1d-9a43-4f0e-8d21-6c3b9e0a7f45/resourceGroups/rg-images/providers/Microsoft.Compute/galleries/g",
    "failed to get access token: AADSTS700016: Application with identifier 'x' was not found",
  ]

  @Test(arguments: harmless)
  func harmlessLookAlikesStay(_ line: String) {
    #expect(Redactor().redact(line) == line)
  }
}
