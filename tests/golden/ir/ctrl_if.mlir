"skc.workflow"() ({
^bb0(%ns: !skc.text, %thr: !skc.num):
  %pods = "tool.shell"(%ns) {argv = ["oc", "get", "pods", "-n", "{0}", "-l", "kubevirt.io=virt-handler", "-o", "json"], effects = ["read:k8s"], step = "Diagnosis 1"} : (!skc.text) -> !skc.table loc("runbooks/VirtHandlerDown.md":12:3)
  %down = "data.json_get"(%pods) {path = "$.items[?(@.status.phase != 'Running')]"} : (!skc.table) -> !skc.json<"{\"type\":\"array\"}"> loc("runbooks/VirtHandlerDown.md":18:3)
  %n = "data.count"(%down) : (!skc.json<"{\"type\":\"array\"}">) -> !skc.num loc("runbooks/VirtHandlerDown.md":18:3)
  %any = "calc.cmp"(%n, %thr) {pred = "gt"} : (!skc.num, !skc.num) -> !skc.bool loc("runbooks/VirtHandlerDown.md":20:1)
  %verdict:2 = "ctrl.if"(%any) ({
    %events = "tool.shell"(%ns) {cmd = "oc get events -n {0} --field-selector involvedObject.kind=Pod | grep virt-handler", effects = ["read:k8s"]} : (!skc.text) -> !skc.text loc("runbooks/VirtHandlerDown.md":24:5)
    %0 = "data.count"(%events) : (!skc.text) -> !skc.num
    %1 = "data.const"() {value = 0 : i64} : () -> !skc.num
    %2 = "calc.cmp"(%0, %1) {pred = "eq"} : (!skc.num, !skc.num) -> !skc.bool
    %cause = "ctrl.if"(%2) ({
      %3 = "data.const"() {value = "no events: check the node"} : () -> !skc.text
      "ctrl.yield"(%3) : (!skc.text) -> ()
    }, {
      %4 = "llm.decide"(%events) {outcomes = ["image-pull", "oom", "crash", "scheduling"], prompt = "Why are the virt-handler pods not running?"} : (!skc.text) -> !skc.text loc("runbooks/VirtHandlerDown.md":30:5)
      "ctrl.yield"(%4) : (!skc.text) -> ()
    }) {step = "If no events are shown, ..."} : (!skc.bool) -> !skc.text loc("runbooks/VirtHandlerDown.md":27:5)
    %5 = "data.const"() {value = "down"} : () -> !skc.text
    "ctrl.yield"(%5, %cause) : (!skc.text, !skc.text) -> ()
  }, {
    %6 = "data.const"() {value = "healthy"} : () -> !skc.text
    %7 = "data.const"() {value = ""} : () -> !skc.text
    "ctrl.yield"(%6, %7) : (!skc.text, !skc.text) -> ()
  }) {step = "If any pod is not running"} : (!skc.bool) -> (!skc.text, !skc.text) loc("runbooks/VirtHandlerDown.md":20:1)
  "ctrl.if"(%any) ({
    %8 = "tool.file_write"(%verdict#1) {effects = ["write:fs:/tmp/virt-handler.txt"], path = "/tmp/virt-handler.txt"} : (!skc.text) -> !skc.token
    "ctrl.yield"() : () -> ()
  }, {
    "ctrl.yield"() : () -> ()
  }) : (!skc.bool) -> ()
  "ctrl.return"(%verdict#0, %verdict#1) : (!skc.text, !skc.text) -> ()
}) {arg_names = ["ns", "thr"], output_names = ["status", "cause"], source = "runbooks/VirtHandlerDown.md", sym_name = "virt_handler_down"} : () -> ()
