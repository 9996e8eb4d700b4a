"skc.workflow"() ({
  %r1 = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"], level = 0 : i64} : () -> !skc.text
  %r2 = "tool.shell"() {argv = ["kubectl", "get", "nodes"], effects = ["read:k8s"], level = 0 : i64} : () -> !skc.text
  %w1 = "tool.shell"() {argv = ["kubectl", "rollout", "restart", "deploy/web"], effects = ["write:k8s"], level = 1 : i64} : () -> !skc.text
  %w2 = "tool.shell"() {argv = ["kubectl", "scale", "deploy/web", "--replicas=3"], effects = ["write:k8s"], level = 2 : i64} : () -> !skc.text
  %r3 = "tool.shell"() {argv = ["kubectl", "get", "pods"], effects = ["read:k8s"], level = 3 : i64} : () -> !skc.text
  %f1 = "tool.file_write"(%r1) {effects = ["write:fs:/tmp/a.txt"], level = 1 : i64, path = "/tmp/a.txt"} : (!skc.text) -> !skc.token
  %f2 = "tool.file_write"(%r2) {effects = ["write:fs:/tmp/b.txt"], level = 1 : i64, path = "/tmp/b.txt"} : (!skc.text) -> !skc.token
  %dir = "tool.shell"() {argv = ["rm", "-rf", "/tmp/"], effects = ["write:fs:/tmp"], level = 2 : i64} : () -> !skc.text
  "ctrl.return"(%w1, %w2, %r3, %f1, %f2, %dir) : (!skc.text, !skc.text, !skc.text, !skc.token, !skc.token, !skc.text) -> ()
}) {sym_name = "effects"} : () -> ()
