"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %pods = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], step = "Step 1"} : (!skc.text) -> !skc.table loc("runbooks/Restart.md":3:1)
  %health = "tool.http"() {effects = ["net:http"], url = "http://127.0.0.1:8080/healthz"} : () -> !skc.text loc("runbooks/Restart.md":4:1)
  %note = "tool.file_write"(%health) {effects = ["write:fs:/tmp/notes"], path = "/tmp/notes"} : (!skc.text) -> !skc.token loc("runbooks/Restart.md":5:1)
  %pods2 = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], step = "Step 2"} : (!skc.text) -> !skc.table loc("runbooks/Restart.md":6:1)
  %health2 = "tool.http"() {effects = ["net:http"], url = "http://127.0.0.1:8080/healthz"} : () -> !skc.text loc("runbooks/Restart.md":7:1)
  %del = "tool.shell"(%ns) {argv = ["kubectl", "delete", "pod", "-l", "app=web", "-n", "{0}"], effects = ["write:k8s"]} : (!skc.text) -> !skc.text loc("runbooks/Restart.md":8:1)
  %del2 = "tool.shell"(%ns) {argv = ["kubectl", "delete", "pod", "-l", "app=web", "-n", "{0}"], effects = ["write:k8s"]} : (!skc.text) -> !skc.text loc("runbooks/Restart.md":9:1)
  %pods3 = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], step = "Step 4"} : (!skc.text) -> !skc.table loc("runbooks/Restart.md":10:1)
  %count = "tool.python"(%pods3) {code = "result = len(args[0])", effects = ["pure"]} : (!skc.table) -> !skc.num
  %count2 = "tool.python"(%pods3) {code = "result = len(args[0])", effects = ["pure"]} : (!skc.table) -> !skc.num
  "ctrl.return"(%pods, %pods2, %health2, %note, %del, %del2, %pods3, %count, %count2) : (!skc.table, !skc.table, !skc.text, !skc.token, !skc.text, !skc.text, !skc.table, !skc.num, !skc.num) -> ()
}) {arg_names = ["ns"], sym_name = "tools_off"} : () -> ()
