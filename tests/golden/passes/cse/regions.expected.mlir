"skc.workflow"() ({
^bb0(%ns: !skc.text, %flag: !skc.bool):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table
  %names = "data.json_get"(%pods) {path = "$.items[*].metadata.name"} : (!skc.table) -> !skc.json
  %r = "ctrl.if"(%flag) ({
    %b = "data.count"(%names) : (!skc.json) -> !skc.num
    "ctrl.yield"(%b) : (!skc.num) -> ()
  }, {
    %c = "data.json_get"(%pods) {path = "$.items[*].status.phase"} : (!skc.table) -> !skc.json
    %d = "data.count"(%c) : (!skc.json) -> !skc.num
    "ctrl.yield"(%d) : (!skc.num) -> ()
  }) : (!skc.bool) -> !skc.num
  %again:2 = "ctrl.retry"(%ns) ({
    %p = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table
    "ctrl.yield"(%p, %names) : (!skc.table, !skc.json) -> ()
  }) {max_attempts = 3 : i64} : (!skc.text) -> (!skc.table, !skc.json)
  "ctrl.return"(%names, %r, %again#0, %again#1, %pods) : (!skc.json, !skc.num, !skc.table, !skc.json, !skc.table) -> ()
}) {arg_names = ["ns", "flag"], sym_name = "regions"} : () -> ()
