// A map body runs once per item: a read there may reuse an outer read only if the
// body writes nothing that read sees (the first item's write precedes the second
// item's read). Reads of other resources, and pure ops, are still reused.
"skc.workflow"() ({
^bb0(%items: !skc.json):
  %pods = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"]} : () -> !skc.text
  %rows = "tool.sql"() {db = "inv", effects = ["read:db:inv"], query = "SELECT * FROM hosts"} : () -> !skc.table
  %n = "data.count"(%items) : (!skc.json) -> !skc.num
  %out = "ctrl.map"(%items) ({
  ^bb0(%item: !skc.json):
    %p = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"]} : () -> !skc.text
    %r = "tool.sql"() {db = "inv", effects = ["read:db:inv"], query = "SELECT * FROM hosts"} : () -> !skc.table
    %m = "data.count"(%items) : (!skc.json) -> !skc.num
    %name = "data.json_get"(%item) {path = "$.name"} : (!skc.json) -> !skc.text
    %d = "tool.shell"(%name, %p, %r, %m) {argv = ["kubectl", "delete", "pod", "{0}"], effects = ["write:k8s"]} : (!skc.text, !skc.text, !skc.table, !skc.num) -> !skc.text
    "ctrl.yield"(%d) : (!skc.text) -> ()
  }) : (!skc.json) -> !skc.json
  "ctrl.return"(%pods, %rows, %n, %out) : (!skc.text, !skc.table, !skc.num, !skc.json) -> ()
}) {arg_names = ["items"], sym_name = "loops"} : () -> ()
