/** The viewer page's style sheet. */
export const STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f7f8fa; }
main { max-width: 1200px; margin: 0 auto; padding: 0 1rem 3rem; }
header { display: flex; gap: 1rem; align-items: baseline; flex-wrap: wrap; padding: .75rem 0; border-bottom: 1px solid #d8dce6; }
header nav { display: flex; gap: .75rem; flex-wrap: wrap; }
header nav a.current { font-weight: 600; text-decoration: none; color: #1d2330; }
.keys { margin-left: auto; font-size: 12px; }
.muted { color: #6b7385; }
form#filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; margin: .75rem 0; align-items: center; }
form#filters input[type=number] { width: 5em; }
form#filters select { max-width: 16em; }
.chip { border: 1px solid #4c6ef5; background: #edf2ff; border-radius: 1em; padding: 0 .6em; cursor: pointer; }
table { border-collapse: collapse; width: 100%; background: #fff; }
td, th { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid #eef0f4; vertical-align: top; }
#records tr[data-n] { cursor: pointer; }
#records tr.selected { background: #e7f0ff; outline: 2px solid #4c6ef5; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.excerpt { max-width: 40em; overflow-wrap: anywhere; }
.failed, .cause { color: #c2410c; }
.label.accept { color: #2b8a3e; } .label.reject { color: #c92a2a; } .label.flag { color: #e67700; }
.pager { display: flex; gap: 1rem; margin: 1rem 0; }
.nav { display: flex; gap: 1rem; align-items: baseline; margin: .75rem 0; }
.nav a.disabled { color: #adb5bd; pointer-events: none; }
h1 { font-size: 1.2rem; overflow-wrap: anywhere; }
.labels { display: flex; gap: .5rem; align-items: center; margin: .5rem 0 1rem; }
.labels button.label { font-weight: 600; }
.labels #note { flex: 1; max-width: 30em; }
.turn { background: #fff; border: 1px solid #e3e6ee; border-radius: 6px; margin: .5rem 0; padding: .5rem .75rem; }
.turn .role { font-size: 12px; font-weight: 600; text-transform: uppercase; color: #6b7385; }
.turn.role-user { border-left: 4px solid #4c6ef5; } .turn.role-assistant, .turn.role-gpt { border-left: 4px solid #2b8a3e; }
.turn.role-system { border-left: 4px solid #868e96; } .turn.role-tool { border-left: 4px solid #e67700; }
.content { overflow-wrap: anywhere; }
pre { background: #f1f3f5; padding: .5rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; }
code { background: #f1f3f5; padding: 0 .2em; }
pre code { background: none; padding: 0; }
blockquote { border-left: 3px solid #ced4da; margin: .5rem 0; padding-left: .75rem; color: #495057; }
.pair { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; }
.pair h3 { margin: .25rem 0; }
.quality table { margin: .5rem 0 1rem; }
.quality tr.fail td { color: #c2410c; }
details.raw { margin-top: 1.5rem; }
`;
