"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {model = "fast", prompt = "Write the incident report.", target = "llm.openai:fast"} : (!skc.text) -> !skc.text
  %d = "llm.decide"(%logs) {outcomes = ["page", "wait"], prompt = "Page someone?", target = "llm.local"} : (!skc.text) -> !skc.text
  "ctrl.return"(%s, %d) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["logs"], sym_name = "value_of_time"} : () -> ()
