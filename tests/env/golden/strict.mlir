// RUN: env-bind{strict=true}
// Strict binding: a missing binary and a missing env var are errors, a present one is fine.
"skc.workflow"() ({
  %0 = "tool.shell"() {argv = ["helm", "list"], effects = ["read:k8s"]} : () -> !skc.text loc("runbooks/Helm.md":3:1)
  %1 = "tool.shell"() {cmd = "kubectl get ns $NAMESPACE $CLUSTER", effects = ["read:k8s"]} : () -> !skc.text loc("runbooks/Helm.md":6:1)
  "ctrl.return"(%0, %1) : (!skc.text, !skc.text) -> ()
}) {sym_name = "strict_binding"} : () -> ()
