"skc.workflow"() ({
^bb0(%pods: !skc.json, %limit: !skc.num):
  %names = "data.json_get"(%pods) {path = "$.items[*].metadata.name"} : (!skc.json) -> !skc.json loc("runbooks/Pods.md":3:1)
  %phases = "data.json_get"(%pods) {path = "$.items[*].status.phase"} : (!skc.json) -> !skc.json loc("runbooks/Pods.md":10:1)
  %n = "data.count"(%names) : (!skc.json) -> !skc.num
  %over = "calc.cmp"(%n, %limit) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool
  %under = "calc.cmp"(%n, %limit) {pred = "lt"} : (!skc.num, !skc.num) -> !skc.bool
  %both = "calc.and"(%over, %over) : (!skc.bool, !skc.bool) -> !skc.bool
  %sum = "llm.generate"(%phases) {prompt = "Summarise the pod phases."} : (!skc.json) -> !skc.text loc("runbooks/Pods.md":12:1)
  %sum2 = "llm.generate"(%phases) {prompt = "Summarise the pod phases.", temperature = 0.0 : f64} : (!skc.json) -> !skc.text loc("runbooks/Pods.md":14:1)
  %idea = "llm.generate"(%phases) {prompt = "Suggest a fix.", temperature = 0.7 : f64} : (!skc.json) -> !skc.text
  %idea2 = "llm.generate"(%phases) {prompt = "Suggest a fix.", temperature = 0.7 : f64} : (!skc.json) -> !skc.text
  %sev = "llm.decide"(%sum) {outcomes = ["ok", "bad"], prompt = "Is it bad?"} : (!skc.text) -> !skc.text
  "ctrl.return"(%both, %under, %sum2, %idea, %idea2, %sev, %sev) : (!skc.bool, !skc.bool, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["pods", "limit"], sym_name = "pure_ops"} : () -> ()
