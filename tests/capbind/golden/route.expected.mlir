"skc.workflow"() ({
^bb0(%issue: !skc.text):
  %fix = "llm.agent"(%issue) {constrain = "grammar", effects = ["write:fs"], max_tokens = 4096 : i64, max_turns = 8 : i64, model = "big", prompt = "Investigate the failing test and fix it.", tools = ["Read", "Edit", "Bash(pytest:*)"]} : (!skc.text) -> !skc.text loc("skills/fix/SKILL.md":20:1)
  %ack = "llm.generate"(%fix) {prompt = "Say thanks."} : (!skc.text) -> !skc.text loc("skills/fix/SKILL.md":22:1)
  "ctrl.return"(%ack) : (!skc.text) -> ()
}) {arg_names = ["issue"], sym_name = "fix"} : () -> ()
