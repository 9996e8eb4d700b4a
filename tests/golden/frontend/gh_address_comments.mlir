"skc.workflow"() ({
  %0 = "tool.shell"() {argv = ["gh", "auth", "login"], effects = ["write:github"], step = "intro.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:57)
  %1 = "tool.shell"() {argv = ["gh", "auth", "status"], effects = ["net:github"], step = "intro.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:89)
  %2 = "llm.decide"(%0, %1) {outcomes = ["yes", "no"], prompt = "Sandboxing blocks `gh auth status`?", step = "intro.1.1"} : (!skc.text, !skc.text) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:189)
  %3 = "data.const"() {step = "intro.1.1", value = "yes"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:189)
  %4 = "calc.cmp"(%2, %3) {pred = "eq", step = "intro.1.1"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-address-comments/SKILL.md":12:189)
  %5 = "ctrl.if"(%4) ({
    %6 = "llm.generate"() {prompt = "rerun it with `sandbox_permissions=require_escalated`.", step = "intro.1.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:189)
    "ctrl.yield"(%6) : (!skc.text) -> ()
  }, {
    %7 = "data.const"() {step = "intro.1.1", value = ""} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:189)
    "ctrl.yield"(%7) : (!skc.text) -> ()
  }) {step = "intro.1.1"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":12:189)
  %8 = "tool.script"() {effects = ["write:*"], interpreter = "python3", path = "scripts/fetch_comments.py", step = "1.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":15:7)
  %9 = "llm.generate"() {prompt = "Number all the review threads and comments and provide a short summary of what would be required to apply a fix for it", step = "2.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":18:3)
  %10 = "llm.generate"() {prompt = "Ask the user which numbered comments should be addressed", step = "2.2"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":19:3)
  %11 = "llm.decide"(%10) {outcomes = ["yes", "no"], prompt = "User chooses comments?", step = "3"} : (!skc.text) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":21:4)
  %12 = "data.const"() {step = "3", value = "yes"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":21:4)
  %13 = "calc.cmp"(%11, %12) {pred = "eq", step = "3"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-address-comments/SKILL.md":21:4)
  %14 = "ctrl.if"(%13) ({
    %15 = "llm.agent"(%10) {effects = ["write:*"], max_tokens = 8192 : i64, max_turns = 10 : i64, prompt = "Apply fixes for the selected comments", step = "3.1", timeout_s = 600.0 : f64, tools = ["Bash(gh:*)", "Read"]} : (!skc.text) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":22:3)
    %16 = "llm.decide"(%15) {outcomes = ["yes", "no"], prompt = "Gh hits auth/rate issues mid-run?", step = "3.2.1"} : (!skc.text) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":25:3)
    %17 = "data.const"() {step = "3.2.1", value = "yes"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":25:3)
    %18 = "calc.cmp"(%16, %17) {pred = "eq", step = "3.2.1"} : (!skc.text, !skc.text) -> !skc.bool loc("skills/openai/gh-address-comments/SKILL.md":25:3)
    %19 = "ctrl.if"(%18) ({
      %20 = "tool.shell"() {argv = ["gh", "auth", "login"], effects = ["write:github"], step = "3.2.1"} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":25:81)
      "ctrl.yield"(%20) : (!skc.text) -> ()
    }, {
      %21 = "data.const"() {step = "3.2.1", value = ""} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":25:3)
      "ctrl.yield"(%21) : (!skc.text) -> ()
    }) {step = "3.2.1"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":25:3)
    "ctrl.yield"(%19) : (!skc.text) -> ()
  }, {
    %22 = "data.const"() {step = "3", value = ""} : () -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":21:4)
    "ctrl.yield"(%22) : (!skc.text) -> ()
  }) {step = "3"} : (!skc.bool) -> !skc.text loc("skills/openai/gh-address-comments/SKILL.md":21:4)
  "ctrl.return"(%5, %8, %9, %14) : (!skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {description = "Help address review/issue comments on the open GitHub PR for the current branch using gh CLI; verify gh auth first and prompt the user to authenticate if not logged in.", output_names = ["intro_1_1", "step_1_1", "step_2_1", "step_3"], source = "skills/openai/gh-address-comments", sym_name = "gh_address_comments"} : () -> () loc("skills/openai/gh-address-comments/SKILL.md":1:1)
