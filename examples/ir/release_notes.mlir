"skc.workflow"() ({
^bb0(%repo: !skc.text, %since: !skc.text):
  %log = "tool.shell"(%repo, %since) {argv = ["git", "-C", "{0}", "log", "--no-merges", "--pretty=format:%h%x09%s%x09%an", "{1}..HEAD"], effects = ["read:fs:repo"]} : (!skc.text, !skc.text) -> !skc.table loc("skills/release-notes/SKILL.md":12:1)
  %changes = "llm.extract"(%log) {examples = [{input = "a1b2c3d\tfix(api): handle empty bodies\tAna", output = "[{\"kind\":\"fix\",\"scope\":\"api\",\"summary\":\"handle empty bodies\"}]"}], prompt = "Classify every commit as feature, fix, docs or chore, with its scope and a one-line summary.", schema = "{\"type\":\"array\",\"items\":{\"type\":\"object\",\"required\":[\"kind\",\"summary\"],\"properties\":{\"kind\":{\"enum\":[\"feature\",\"fix\",\"docs\",\"chore\"]},\"scope\":{\"type\":\"string\"},\"summary\":{\"type\":\"string\"}}}}"} : (!skc.table) -> !skc.json<"{\"type\":\"array\"}"> loc("skills/release-notes/SKILL.md":16:1)
  %n = "data.count"(%changes) : (!skc.json<"{\"type\":\"array\"}">) -> !skc.num
  %0 = "data.const"() {value = 0 : i64} : () -> !skc.num
  %empty = "calc.cmp"(%n, %0) {pred = "eq"} : (!skc.num, !skc.num) -> !skc.bool
  %notes = "ctrl.if"(%empty) ({
    %1 = "data.template"(%since) {template = "No user-visible changes since {0}."} : (!skc.text) -> !skc.text
    "ctrl.yield"(%1) : (!skc.text) -> ()
  }, {
    %2 = "llm.generate"(%changes) {prompt = "Write release notes in Markdown: a \"Features\" section, then \"Fixes\"; skip chores.", system = "Write for users, not for the team.", temperature = 0.3 : f64} : (!skc.json<"{\"type\":\"array\"}">) -> !skc.text loc("skills/release-notes/SKILL.md":22:1)
    "ctrl.yield"(%2) : (!skc.text) -> ()
  }) : (!skc.bool) -> !skc.text loc("skills/release-notes/SKILL.md":20:1)
  %written = "tool.file_write"(%notes) {effects = ["write:fs:RELEASE_NOTES.md"], path = "RELEASE_NOTES.md"} : (!skc.text) -> !skc.token loc("skills/release-notes/SKILL.md":27:1)
  "ctrl.return"(%notes, %written) : (!skc.text, !skc.token) -> ()
}) {arg_names = ["repo", "since"], description = "Draft release notes from the commits since a tag.", output_names = ["notes", "written"], permissions = ["Bash(git log:*)", "Write"], source = "skills/release-notes/SKILL.md", sym_name = "release_notes"} : () -> () loc("skills/release-notes/SKILL.md":1:1)
