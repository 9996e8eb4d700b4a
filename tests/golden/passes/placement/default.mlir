// No models configured, no GPU: tool, data, calc and ctrl ops go to the cpu,
// llm ops (nested ones too) to the embedded local model; terminators get nothing.
"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table
  %n = "data.count"(%pods) : (!skc.table) -> !skc.num
  %zero = "data.const"() {value = 0 : i64} : () -> !skc.num
  %some = "calc.cmp"(%n, %zero) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool
  %verdict = "ctrl.if"(%some) ({
    %d = "llm.decide"(%pods) {outcomes = ["healthy", "degraded"], prompt = "How healthy are the pods?"} : (!skc.table) -> !skc.text
    "ctrl.yield"(%d) : (!skc.text) -> ()
  }, {
    %e = "data.const"() {value = "empty"} : () -> !skc.text
    "ctrl.yield"(%e) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  "ctrl.return"(%verdict) : (!skc.text) -> ()
}) {arg_names = ["ns"], sym_name = "default_placement"} : () -> ()
