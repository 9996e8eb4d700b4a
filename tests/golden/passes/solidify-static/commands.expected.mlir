"skc.workflow"() ({
^bb0(%namespace: !skc.text, %pod: !skc.text):
  %pods = "tool.shell"(%namespace) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"], step = "Step 1"} : (!skc.text) -> !skc.text loc("runbooks/Web.md":5:1)
  %logs = "tool.shell"(%pod, %namespace) {cmd = "kubectl logs {0} -n {1} | tail -n 50", effects = ["read:k8s"]} : (!skc.text, !skc.text) -> !skc.text loc("runbooks/Web.md":9:1)
  %home = "tool.shell"() {cmd = "ls $HOME/.kube", effects = ["read:fs:$HOME/.kube"], env = ["HOME"]} : () -> !skc.text loc("runbooks/Web.md":13:1)
  %restart = "tool.shell"(%namespace) {argv = ["kubectl", "rollout", "restart", "deploy/web", "-n", "{0}"], effects = ["write:k8s"]} : (!skc.text) -> !skc.text loc("runbooks/Web.md":15:1)
  %why = "llm.generate"(%pods) {prompt = "Explain why `kubectl get pods` shows CrashLoopBackOff."} : (!skc.text) -> !skc.text loc("runbooks/Web.md":17:1)
  %undef = "llm.generate"() {prompt = "`kubectl describe node <NODE>`"} : () -> !skc.text loc("runbooks/Web.md":19:1)
  %shaped = "llm.generate"() {prompt = "`kubectl get pods -o json`", schema = "{\"type\":\"object\"}"} : () -> !skc.json loc("runbooks/Web.md":21:1)
  "ctrl.return"(%pods, %logs, %home, %restart, %why, %undef, %shaped) : (!skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.json) -> ()
}) {arg_names = ["namespace", "pod"], sym_name = "commands"} : () -> ()
