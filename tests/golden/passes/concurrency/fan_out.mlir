// Step 1 feeds three independent reads (one level), a summary joins them.
"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], step = "Step 1"} : (!skc.text) -> !skc.table
  %events = "tool.shell"(%ns, %pods) {argv = ["kubectl", "get", "events", "-n", "{0}"], effects = ["read:k8s"], step = "Step 2"} : (!skc.text, !skc.table) -> !skc.text
  %errors = "tool.sql"(%pods) {db = "logs", effects = ["read:db:logs"], query = "SELECT * FROM errors", step = "Step 3"} : (!skc.table) -> !skc.table
  %health = "tool.http"(%pods) {effects = ["net:http"], step = "Step 4", url = "http://127.0.0.1:8080/healthz"} : (!skc.table) -> !skc.text
  %summary = "llm.generate"(%events, %errors, %health) {prompt = "What is wrong?", step = "Step 5"} : (!skc.text, !skc.table, !skc.text) -> !skc.text
  "ctrl.return"(%summary) : (!skc.text) -> ()
}) {arg_names = ["ns"], sym_name = "fan_out"} : () -> ()
