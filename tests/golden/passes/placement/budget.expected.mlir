"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {model = "fast", prompt = "Write the incident report.", target = "llm.openai:fast"} : (!skc.text) -> !skc.text
  %d = "llm.decide"(%logs) {outcomes = ["page", "wait"], prompt = "Page someone?", target = "llm.local"} : (!skc.text) -> !skc.text
  %p = "llm.decide"(%logs) {model = "big", outcomes = ["yes", "no"], prompt = "Is it a security issue?", target = "llm.openai:big"} : (!skc.text) -> !skc.text
  "ctrl.return"(%s, %d, %p) : (!skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["logs"], sym_name = "budget_placement"} : () -> ()
