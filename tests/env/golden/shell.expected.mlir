"skc.workflow"() ({
^bb0(%ns: !skc.text, %prog: !skc.text):
  %0 = "tool.shell"(%ns) {argv = ["kubectl", "get", "pods", "-n", "{0}"], effects = ["read:k8s"]} : (!skc.text) -> !skc.table loc("runbooks/Pods.md":5:1)
  %1 = "tool.shell"() {cmd = "kubectl get pods -n $NAMESPACE -o json | jq '.items[] | .metadata.name' | grep -v $EXCLUDE", effects = ["read:k8s"]} : () -> !skc.text loc("runbooks/Pods.md":9:1)
  %2 = "tool.shell"() {cmd = "for p in $(oc get po -o name); do echo \"$p ${LIMIT:-10}\"; done", effects = ["read:k8s"]} : () -> !skc.text loc("runbooks/Pods.md":14:1)
  %3 = "tool.shell"() {cmd = "curl -s -H \"PRIVATE-TOKEN: $GITLAB_TOKEN\" https://ops.gitlab.net/api/v4/projects && curl http://example.com/x", effects = ["net:http"]} : () -> !skc.text loc("runbooks/Pods.md":20:1)
  %4 = "tool.shell"(%prog) {argv = ["{0}", "--version"], effects = ["read:*"]} : (!skc.text) -> !skc.text loc("runbooks/Pods.md":25:1)
  %5 = "tool.shell"() {cmd = "oc adm top nodes", effects = ["read:k8s"], env = ["AWS_SECRET_ACCESS_KEY"]} : () -> !skc.text loc("runbooks/Pods.md":30:1)
  "ctrl.return"(%0, %1, %2, %3, %4, %5) : (!skc.table, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text) -> ()
}) {arg_names = ["ns", "prog"], sym_name = "shell_needs"} : () -> ()
