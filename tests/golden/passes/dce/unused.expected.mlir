"skc.workflow"() ({
^bb0(%ns: !skc.text, %logs: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table loc("runbooks/Dce.md":3:1)
  %unread = "tool.sql"() {db = "incidents", effects = ["read:db:incidents"], query = "SELECT 1"} : () -> !skc.table
  %saved = "tool.file_write"(%logs) {effects = ["write:fs:/tmp/logs.txt"], path = "/tmp/logs.txt"} : (!skc.text) -> !skc.token
  %fix = "llm.agent"(%logs) {effects = ["write:k8s"], max_tokens = 2048 : i64, max_turns = 4 : i64, prompt = "Fix it.", tools = ["Bash"]} : (!skc.text) -> !skc.text
  %kept = "data.template"(%ns) {template = "namespace {0}"} : (!skc.text) -> !skc.text
  "ctrl.return"(%kept) : (!skc.text) -> ()
}) {arg_names = ["ns", "logs"], sym_name = "unused"} : () -> ()
