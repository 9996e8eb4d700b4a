// OPTIONS: {"gpu": true}
// A GPU is present: llm ops use the local model's GPU build.
"skc.workflow"() ({
^bb0(%logs: !skc.text):
  %s = "llm.generate"(%logs) {prompt = "Summarise the logs."} : (!skc.text) -> !skc.text
  %f = "llm.extract"(%logs) {prompt = "Which service failed?", schema = "{\"type\":\"object\"}"} : (!skc.text) -> !skc.json
  "ctrl.return"(%s, %f) : (!skc.text, !skc.json) -> ()
}) {arg_names = ["logs"], sym_name = "gpu_placement"} : () -> ()
