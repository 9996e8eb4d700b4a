"skc.workflow"() ({
^bb0(%ns: !skc.text, %thr: !skc.num):
  %0 = "tool.shell"(%ns) {argv = ["oc", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table loc("runbooks/VirtHandlerDown.md":12:3)
  %1 = "data.json_get"(%0) {path = "$.items[?(@.status.phase != 'Running')]"} : (!skc.table) -> !skc.json<"{\"type\":\"array\"}">
  %6 = "data.count"(%1) : (!skc.json<"{\"type\":\"array\"}">) -> !skc.num
  %2 = "calc.cmp"(%6, %thr) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool
  %5 = "ctrl.if"(%2) ({
    %3 = "llm.decide"(%0) {outcomes = ["healthy", "degraded", "down"], prompt = "Is the handler down?"} : (!skc.table) -> !skc.text
    "ctrl.yield"(%3) : (!skc.text) -> ()
  }, {
    %4 = "data.const"() {value = "ok"} : () -> !skc.text
    "ctrl.yield"(%4) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text
  "ctrl.return"(%5) : (!skc.text) -> ()
}) {sym_name = "virt_handler_down"} : () -> ()
