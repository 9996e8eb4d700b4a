"skc.workflow"() ({
^bb0(%ns: !skc.text):
  %0 = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], level = 0 : i64, step = "Step 1"} : (!skc.text) -> !skc.table
  %1 = "tool.shell"(%ns, %0) {argv = ["kubectl", "describe", "pods", "-n", "{0}"], effects = ["read:k8s"], level = 1 : i64, step = "Step 2"} : (!skc.text, !skc.table) -> !skc.text
  %2 = "tool.shell"(%ns, %1) {argv = ["kubectl", "get", "events", "-n", "{0}"], effects = ["read:k8s"], level = 2 : i64, step = "Step 3"} : (!skc.text, !skc.text) -> !skc.text
  %3 = "tool.shell"(%ns, %2) {argv = ["kubectl", "top", "pods", "-n", "{0}"], effects = ["read:k8s"], level = 3 : i64, step = "Step 4"} : (!skc.text, !skc.text) -> !skc.text
  %4 = "tool.shell"(%ns, %3) {argv = ["kubectl", "get", "deploy", "-n", "{0}"], effects = ["read:k8s"], level = 4 : i64, step = "Step 5"} : (!skc.text, !skc.text) -> !skc.text
  %5 = "tool.shell"(%ns, %4) {argv = ["kubectl", "get", "svc", "-n", "{0}"], effects = ["read:k8s"], level = 5 : i64, step = "Step 6"} : (!skc.text, !skc.text) -> !skc.text
  %6 = "tool.shell"(%ns, %5) {argv = ["kubectl", "get", "endpoints", "-n", "{0}"], effects = ["read:k8s"], level = 6 : i64, step = "Step 7"} : (!skc.text, !skc.text) -> !skc.text
  %7 = "tool.shell"(%ns, %6) {argv = ["kubectl", "get", "pvc", "-n", "{0}"], effects = ["read:k8s"], level = 7 : i64, step = "Step 8"} : (!skc.text, !skc.text) -> !skc.text
  %8 = "tool.shell"(%ns, %7) {argv = ["kubectl", "get", "nodes", "-n", "{0}"], effects = ["read:k8s"], level = 8 : i64, step = "Step 9"} : (!skc.text, !skc.text) -> !skc.text
  %9 = "tool.shell"(%ns, %8) {argv = ["kubectl", "get", "ingress", "-n", "{0}"], effects = ["read:k8s"], level = 9 : i64, step = "Step 10"} : (!skc.text, !skc.text) -> !skc.text
  "ctrl.return"(%1, %2, %3, %4, %5, %6, %7, %8, %9) : (!skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["ns"], sym_name = "chained_steps"} : () -> ()
