// An agent step whose gaps no local compensation closes is routed to the first configured
// model whose declared profile meets them ("big"); "fast" has no profile, so it is not a
// candidate; an op with no gap keeps the local model.
// OPTIONS: {"profile": "profiles/weak.json", "models": {"fast": {"tokens_per_s": 200}, "big": {"capability_level": 3}}}
"skc.workflow"() ({
^bb0(%issue: !skc.text):
  %fix = "llm.agent"(%issue) {effects = ["write:fs"], max_tokens = 4096 : i64, max_turns = 8 : i64, prompt = "Investigate the failing test and fix it.", tools = ["Read", "Edit", "Bash(pytest:*)"]} : (!skc.text) -> !skc.text loc("skills/fix/SKILL.md":20:1)
  %ack = "llm.generate"(%fix) {prompt = "Say thanks."} : (!skc.text) -> !skc.text loc("skills/fix/SKILL.md":22:1)
  "ctrl.return"(%ack) : (!skc.text) -> ()
}) {arg_names = ["issue"], sym_name = "fix"} : () -> ()
