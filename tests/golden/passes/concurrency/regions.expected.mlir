"skc.workflow"() ({
^bb0(%ns: !skc.text, %restart: !skc.bool):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], level = 0 : i64} : (!skc.text) -> !skc.table
  %other = "tool.sql"() {db = "incidents", effects = ["read:db:incidents"], level = 0 : i64, query = "SELECT 1"} : () -> !skc.table
  %done = "ctrl.if"(%restart) ({
    %n = "data.count"(%pods) : (!skc.table) -> !skc.num
    %out = "tool.shell"(%ns) {argv = ["kubectl", "rollout", "restart", "deploy/web", "-n", "{0}"], effects = ["write:k8s"]} : (!skc.text) -> !skc.text
    "ctrl.yield"(%out) : (!skc.text) -> ()
  }, {
    %skip = "data.const"() {value = "skipped"} : () -> !skc.text
    "ctrl.yield"(%skip) : (!skc.text) -> ()
  }) {level = 1 : i64} : (!skc.bool) -> !skc.text
  %after = "tool.shell"(%ns) {argv = ["kubectl", "get", "deploy", "-n", "{0}"], effects = ["read:k8s"], level = 2 : i64} : (!skc.text) -> !skc.text
  %items = "data.json_get"(%other) {level = 1 : i64, path = "$[*]"} : (!skc.table) -> !skc.json
  %each = "ctrl.map"(%items) ({
  ^bb0(%item: !skc.json):
    %s = "llm.generate"(%item) {prompt = "Summarise this incident."} : (!skc.json) -> !skc.text
    "ctrl.yield"(%s) : (!skc.text) -> ()
  }) {level = 2 : i64, max_parallel = 4 : i64} : (!skc.json) -> !skc.json
  "ctrl.return"(%done, %after, %each) : (!skc.text, !skc.text, !skc.json) -> ()
}) {arg_names = ["ns", "restart"], sym_name = "regions"} : () -> ()
