"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], target = "cpu"} : (!skc.text) -> !skc.table
  %n = "data.count"(%pods) {target = "cpu"} : (!skc.table) -> !skc.num
  %zero = "data.const"() {target = "cpu", value = 0 : i64} : () -> !skc.num
  %some = "calc.cmp"(%n, %zero) {pred = "gt", target = "cpu"} : (!skc.num, !skc.num) -> !skc.bool
  %verdict = "ctrl.if"(%some) ({
    %d = "llm.decide"(%pods) {outcomes = ["healthy", "degraded"], prompt = "How healthy are the pods?", target = "llm.local"} : (!skc.table) -> !skc.text
    "ctrl.yield"(%d) : (!skc.text) -> ()
  }, {
    %e = "data.const"() {target = "cpu", value = "empty"} : () -> !skc.text
    "ctrl.yield"(%e) : (!skc.text) -> ()
  }) {target = "cpu"} : (!skc.bool) -> !skc.text
  "ctrl.return"(%verdict) : (!skc.text) -> ()
}) {arg_names = ["ns"], sym_name = "default_placement"} : () -> ()
