"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}", "-o", "json"], effects = ["read:k8s"]} : (!skc.text) -> !skc.json loc("runbooks/PodRestarts.md":7:1)
  %items = "data.json_get"(%pods) {path = "$.items"} : (!skc.json) -> !skc.json loc("runbooks/PodRestarts.md":7:1)
  %limit = "data.const"() {value = 5 : i64} : () -> !skc.num
  %per_pod = "ctrl.map"(%items) ({
  ^bb0(%pod: !skc.json):
    %name = "data.json_get"(%pod) {path = "$.metadata.name"} : (!skc.json) -> !skc.text loc("runbooks/PodRestarts.md":12:3)
    %restarts = "data.json_get"(%pod) {path = "$.status.containerStatuses[0].restartCount"} : (!skc.json) -> !skc.num loc("runbooks/PodRestarts.md":13:3)
    %0 = "calc.cmp"(%restarts, %limit) {pred = "ge"} : (!skc.num, !skc.num) -> !skc.bool
    %1 = "ctrl.if"(%0) ({
      %logs = "tool.shell"(%ns, %name) {argv = ["kubectl", "logs", "-n", "{0}", "{1}", "--previous", "--tail=100"], effects = ["read:k8s"]} : (!skc.text, !skc.text) -> !skc.text loc("runbooks/PodRestarts.md":16:5)
      %2 = "llm.generate"(%logs) {max_tokens = 128 : i64, prompt = "In one sentence: why did this container restart?"} : (!skc.text) -> !skc.text
      "ctrl.yield"(%2) : (!skc.text) -> ()
    }, {
      %3 = "data.template"(%name) {template = "{0}: stable"} : (!skc.text) -> !skc.text
      "ctrl.yield"(%3) : (!skc.text) -> ()
    }) : (!skc.bool) -> !skc.text loc("runbooks/PodRestarts.md":15:3)
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }) {max_parallel = 8 : i64, step = "For each pod"} : (!skc.json) -> !skc.json loc("runbooks/PodRestarts.md":11:1)
  %lines = "tool.shell"(%ns) {cmd = "kubectl top pods -n {0} --no-headers", effects = ["read:k8s"]} : (!skc.text) -> !skc.table loc("runbooks/PodRestarts.md":22:1)
  %usage = "ctrl.map"(%lines) ({
  ^bb0(%row: !skc.table):
    %4 = "data.regex_extract"(%row) {group = 1 : i64, pattern = "(\\d+)m"} : (!skc.table) -> !skc.text
    "ctrl.yield"(%4) : (!skc.text) -> ()
  }) : (!skc.table) -> !skc.json loc("runbooks/PodRestarts.md":23:1)
  %summary = "llm.generate"(%per_pod, %usage) {prompt = "Summarise restarts and CPU usage per pod as a markdown table."} : (!skc.json, !skc.json) -> !skc.text loc("runbooks/PodRestarts.md":28:1)
  "ctrl.return"(%summary) : (!skc.text) -> ()
}) {arg_names = ["ns"], sym_name = "pod_restarts"} : () -> ()
