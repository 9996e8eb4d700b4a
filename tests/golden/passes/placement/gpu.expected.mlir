"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {prompt = "Summarise the logs.", target = "llm.local.gpu"} : (!skc.text) -> !skc.text
  %f = "llm.extract"(%logs) {prompt = "Which service failed?", schema = "{\"type\":\"object\"}", target = "llm.local.gpu"} : (!skc.text) -> !skc.json
  "ctrl.return"(%s, %f) : (!skc.text, !skc.json) -> ()
}) {arg_names = ["logs"], sym_name = "gpu_placement"} : () -> ()
