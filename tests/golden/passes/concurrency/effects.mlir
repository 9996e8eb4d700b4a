// No data flows between these steps; effects alone order them. Two readers of
// k8s share level 0; the write to k8s waits for both; the read after the write
// waits for it; writes to different files are independent; a write to a directory
// conflicts with a read of a file inside it; an agent without declared effects
// would conflict with everything, so it declares them.
"skc.workflow"() ({
  %r1 = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"]} : () -> !skc.text
  %r2 = "tool.shell"() {argv = ["kubectl", "get", "nodes"], effects = ["read:k8s"]} : () -> !skc.text
  %w1 = "tool.shell"() {argv = ["kubectl", "rollout", "restart", "deploy/web"], effects = ["write:k8s"]} : () -> !skc.text
  %w2 = "tool.shell"() {argv = ["kubectl", "scale", "deploy/web", "--replicas=3"], effects = ["write:k8s"]} : () -> !skc.text
  %r3 = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"]} : () -> !skc.text
  %f1 = "tool.file_write"(%r1) {effects = ["write:fs:/tmp/a.txt"], path = "/tmp/a.txt"} : (!skc.text) -> !skc.token
  %f2 = "tool.file_write"(%r2) {effects = ["write:fs:/tmp/b.txt"], path = "/tmp/b.txt"} : (!skc.text) -> !skc.token
  %dir = "tool.shell"() {argv = ["rm", "-rf", "/tmp/"], effects = ["write:fs:/tmp"]} : () -> !skc.text
  "ctrl.return"(%w1, %w2, %r3, %f1, %f2, %dir) : (!skc.text, !skc.text, !skc.text, !skc.token, !skc.token, !skc.text) -> ()
}) {sym_name = "effects"} : () -> ()
