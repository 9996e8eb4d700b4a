"skc.workflow"() ({
^bb0(%ns: !skc.text, %thr: !skc.num):
  %0 = "tool.shell"(%ns) {argv = ["oc", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table loc("runbooks/VirtHandlerDown.md":12:3)
  %1 = "data.json_get"(%0) {path = "$.items[?(@.status.phase != 'Running')]"} : (!skc.table) -> !skc.json<"{\"type\":\"array\"}">
  %2 = "data.count"(%1) : (!skc.json<"{\"type\":\"array\"}">) -> !skc.num
  %3 = "calc.cmp"(%2, %thr) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool
  %4 = "ctrl.if"(%3) ({
    %5 = "llm.decide"(%0) {outcomes = ["healthy", "degraded", "down"], prompt = "Is the handler down?"} : (!skc.table) -> !skc.text
    "ctrl.yield"(%5) : (!skc.text) -> ()
  }, {
    %6 = "data.const"() {value = "ok"} : () -> !skc.text
    "ctrl.yield"(%6) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  "ctrl.return"(%4) : (!skc.text) -> ()
}) {sym_name = "virt_handler_down"} : () -> ()
