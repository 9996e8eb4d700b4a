"skc.workflow"() ({
^bb0(%number_or_url: !skc.text, %pr: !skc.text, %owner: !skc.text, %repo: !skc.text, %job_id: !skc.text, %path: !skc.text):
  %0 = "tool.shell"() {argv = ["gh", "auth", "status"], effects = ["net:github"], step = "Workflow.1.1"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":31:11)
  %1 = "tool.shell"() {argv = ["gh", "auth", "login"], effects = ["write:github"], step = "Workflow.1.1"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":31:92)
  %2 = "llm.decide"(%0, %1) {outcomes = ["yes", "no"], prompt = "Sandboxed auth status fails?", step = "Workflow.1.2"} : (!skc.text, !skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
  %3 = "data.const"() {step = "Workflow.1.2", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
  %4 = "calc.cmp"(%2, %3) {pred = "eq", step = "Workflow.1.2"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
  %5 = "ctrl.if"(%4) ({
    %6 = "llm.generate"() {prompt = "rerun the command with `sandbox_permissions=require_escalated` to allow network/keyring access.", step = "Workflow.1.2"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
    "ctrl.yield"(%6) : (!skc.text) -> ()
  }, {
    %7 = "data.const"() {step = "Workflow.1.2", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
    "ctrl.yield"(%7) : (!skc.text) -> ()
  }) {step = "Workflow.1.2"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":32:6)
  %8 = "llm.decide"(%0, %1) {outcomes = ["yes", "no"], prompt = "Unauthenticated?", step = "Workflow.1.3"} : (!skc.text, !skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
  %9 = "data.const"() {step = "Workflow.1.3", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
  %10 = "calc.cmp"(%8, %9) {pred = "eq", step = "Workflow.1.3"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
  %11 = "ctrl.if"(%10) ({
    %12 = "llm.generate"() {prompt = "ask the user to log in before proceeding.", step = "Workflow.1.3"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
    "ctrl.yield"(%12) : (!skc.text) -> ()
  }, {
    %13 = "data.const"() {step = "Workflow.1.3", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
    "ctrl.yield"(%13) : (!skc.text) -> ()
  }) {step = "Workflow.1.3"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":33:6)
  %14 = "tool.shell"() {argv = ["gh", "pr", "view", "--json", "number,url"], effects = ["net:github"], step = "Workflow.2.1"} : () -> !skc.json loc("skills/openai/gh-fix-ci/SKILL.md":35:37)
  %15 = "llm.decide"(%14) {outcomes = ["yes", "no"], prompt = "The user provides a PR number or URL?", step = "Workflow.2.2"} : (!skc.json) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
  %16 = "data.const"() {step = "Workflow.2.2", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
  %17 = "calc.cmp"(%15, %16) {pred = "eq", step = "Workflow.2.2"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
  %18 = "ctrl.if"(%17) ({
    %19 = "llm.generate"() {prompt = "use that directly.", step = "Workflow.2.2"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
    "ctrl.yield"(%19) : (!skc.text) -> ()
  }, {
    %20 = "data.const"() {step = "Workflow.2.2", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
    "ctrl.yield"(%20) : (!skc.text) -> ()
  }) {step = "Workflow.2.2"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":36:6)
  %21 = "tool.script"(%number_or_url) {args = ["--repo", ".", "--pr", "{0}"], effects = ["write:*"], interpreter = "python", path = "scripts/inspect_pr_checks.py", step = "Workflow.3.1.1"} : (!skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":39:9)
  %22 = "llm.generate"() {prompt = "Add `--json` for machine-friendly output.", step = "Workflow.3.1.2"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":40:8)
  %23 = "tool.shell"(%pr) {argv = ["gh", "pr", "checks", "{0}", "--json", "name,state,bucket,link,startedAt,completedAt,workflow"], effects = ["net:github"], step = "Workflow.3.2.1"} : (!skc.text) -> !skc.json loc("skills/openai/gh-fix-ci/SKILL.md":42:9)
  %24 = "llm.decide"(%23) {outcomes = ["yes", "no"], prompt = "A field is rejected?", step = "Workflow.3.2.1.1"} : (!skc.json) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
  %25 = "data.const"() {step = "Workflow.3.2.1.1", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
  %26 = "calc.cmp"(%24, %25) {pred = "eq", step = "Workflow.3.2.1.1"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
  %27 = "ctrl.if"(%26) ({
    %28 = "llm.generate"() {prompt = "rerun with the available fields reported by `gh`.", step = "Workflow.3.2.1.1"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
    "ctrl.yield"(%28) : (!skc.text) -> ()
  }, {
    %29 = "data.const"() {step = "Workflow.3.2.1.1", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
    "ctrl.yield"(%29) : (!skc.text) -> ()
  }) {step = "Workflow.3.2.1.1"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":43:10)
  %30 = "ctrl.map"(%23) ({
  ^bb0(%check: !skc.json):
    %31 = "llm.extract"(%check) {prompt = "Extract the run id from `detailsUrl`", schema = "{\"type\":\"string\"}", step = "Workflow.3.2.2"} : (!skc.json) -> !skc.json loc("skills/openai/gh-fix-ci/SKILL.md":44:8)
    %32 = "tool.shell"(%31) {argv = ["gh", "run", "view", "{0}", "--json", "name,workflowName,conclusion,status,url,event,headBranch,headSha"], effects = ["net:github"], step = "Workflow.3.2.2.1"} : (!skc.json) -> !skc.json loc("skills/openai/gh-fix-ci/SKILL.md":45:11)
    %33 = "tool.shell"(%31) {argv = ["gh", "run", "view", "{0}", "--log"], effects = ["net:github"], step = "Workflow.3.2.2.2"} : (!skc.json) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":46:11)
    %34 = "data.concat"(%32, %33) {sep = "\n", step = "Workflow.3.2.2"} : (!skc.json, !skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":44:8)
    "ctrl.yield"(%34) : (!skc.text) -> ()
  }) {step = "Workflow.3.2.2"} : (!skc.json) -> !skc.json loc("skills/openai/gh-fix-ci/SKILL.md":44:8)
  %35 = "llm.decide"(%30) {outcomes = ["yes", "no"], prompt = "The run log says it is still in progress?", step = "Workflow.3.2.3"} : (!skc.json) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":47:8)
  %36 = "data.const"() {step = "Workflow.3.2.3", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":47:8)
  %37 = "calc.cmp"(%35, %36) {pred = "eq", step = "Workflow.3.2.3"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":47:8)
  %38 = "ctrl.if"(%37) ({
    %39 = "tool.shell"(%owner, %repo, %job_id, %path) {cmd = "gh api \"/repos/\"{0}\"/\"{1}\"/actions/jobs/\"{2}\"/logs\" > {3}", effects = ["write:fs:{path}", "net:github"], step = "Workflow.3.2.3.1"} : (!skc.text, !skc.text, !skc.text, !skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":48:11)
    "ctrl.yield"(%39) : (!skc.text) -> ()
  }, {
    %40 = "data.const"() {step = "Workflow.3.2.3", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":47:8)
    "ctrl.yield"(%40) : (!skc.text) -> ()
  }) {step = "Workflow.3.2.3"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":47:8)
  %41 = "llm.generate"() {prompt = "Scope non-GitHub Actions checks.\n- Do not attempt Buildkite or other providers; keep the workflow lean.", step = "Workflow.4"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":49:4)
  %42 = "llm.decide"(%41) {outcomes = ["yes", "no"], prompt = "`detailsUrl` is not a GitHub Actions run?", step = "Workflow.4.1"} : (!skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
  %43 = "data.const"() {step = "Workflow.4.1", value = "yes"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
  %44 = "calc.cmp"(%42, %43) {pred = "eq", step = "Workflow.4.1"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
  %45 = "ctrl.if"(%44) ({
    %46 = "llm.generate"() {prompt = "label it as external and only report the URL.", step = "Workflow.4.1"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
    "ctrl.yield"(%46) : (!skc.text) -> ()
  }, {
    %47 = "data.const"() {step = "Workflow.4.1", value = ""} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
    "ctrl.yield"(%47) : (!skc.text) -> ()
  }) {step = "Workflow.4.1"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":50:6)
  %48 = "llm.generate"(%41) {prompt = "Summarize failures for the user.\n- Provide the failing check name, run URL (if any), and a concise log snippet.\n- Call out missing logs explicitly.", step = "Workflow.5"} : (!skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":52:4)
  %49 = "llm.generate"() {prompt = "Create a plan.\n- Use the `plan` skill to draft a concise plan and request approval.", step = "Workflow.6"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":55:4)
  %50 = "llm.agent"(%49) {effects = ["write:*"], max_tokens = 8192 : i64, max_turns = 10 : i64, prompt = "Implement after approval.\n- Apply the approved plan, summarize diffs/tests, and ask about opening a PR.", step = "Workflow.7", timeout_s = 600.0 : f64, tools = ["Bash(gh:*)", "Bash(python:*)", "Read"]} : (!skc.text) -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":57:4)
  %51 = "tool.shell"() {argv = ["gh", "pr", "checks"], effects = ["net:github"], step = "Workflow.8.1"} : () -> !skc.text loc("skills/openai/gh-fix-ci/SKILL.md":60:64)
  "ctrl.return"(%5, %11, %18, %21, %22, %27, %38, %45, %48, %50, %51) : (!skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["number_or_url", "pr", "owner", "repo", "job_id", "path"], description = "Inspect GitHub PR checks with gh, pull failing GitHub Actions logs, summarize failure context, then create a fix plan and implement after user approval. Use when a user asks to debug or fix failing PR CI/CD checks on GitHub Actions and wants a plan + code changes; for external checks (e.g., Buildkite), only report the details URL and mark them out of scope.", output_names = ["workflow_1_2", "workflow_1_3", "workflow_2_2", "workflow_3_1_1", "workflow_3_1_2", "workflow_3_2_1_1", "workflow_3_2_3", "workflow_4_1", "workflow_5", "workflow_7", "workflow_8_1"], source = "skills/openai/gh-fix-ci", sym_name = "gh_fix_ci"} : () -> () loc("skills/openai/gh-fix-ci/SKILL.md":1:1)
