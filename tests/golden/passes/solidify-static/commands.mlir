// Prompts that are only a command become tool.shell: an inline code span with a
// variable naming an operand, a fenced block with a pipe (a shell command line)
// using a workflow input that was not an operand yet, an environment variable,
// and a write. Prompts that say more than a command, or use a variable nobody
// defines, or ask for a schema, stay with the LLM.
"skc.workflow"() ({
^bb0(%namespace: !skc.text, %pod: !skc.text):
  %pods = "llm.generate"(%namespace) {prompt = "Run `kubectl get pods -n $NAMESPACE`.", step = "Step 1"} : (!skc.text) -> !skc.text loc("runbooks/Web.md":5:1)
  %logs = "llm.generate"() {prompt = "```bash\n$ kubectl logs <POD> -n ${NAMESPACE} | tail -n 50\n```"} : () -> !skc.text loc("runbooks/Web.md":9:1)
  %home = "llm.generate"() {prompt = "`ls $HOME/.kube`"} : () -> !skc.text loc("runbooks/Web.md":13:1)
  %restart = "llm.generate"(%namespace) {prompt = "Execute: `kubectl rollout restart deploy/web -n {namespace}`"} : (!skc.text) -> !skc.text loc("runbooks/Web.md":15:1)
  %why = "llm.generate"(%pods) {prompt = "Explain why `kubectl get pods` shows CrashLoopBackOff."} : (!skc.text) -> !skc.text loc("runbooks/Web.md":17:1)
  %undef = "llm.generate"() {prompt = "`kubectl describe node <NODE>`"} : () -> !skc.text loc("runbooks/Web.md":19:1)
  %shaped = "llm.generate"() {prompt = "`kubectl get pods -o json`", schema = "{\"type\":\"object\"}"} : () -> !skc.json loc("runbooks/Web.md":21:1)
  "ctrl.return"(%pods, %logs, %home, %restart, %why, %undef, %shaped) : (!skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.text, !skc.json) -> ()
}) {arg_names = ["namespace", "pod"], sym_name = "commands"} : () -> ()
