#!/usr/bin/env zsh
# zsh_complete.zsh FPATH-DIR DIR < LINES: for each line of standard input, prints the matches
# zsh's completion system offers when that line has been typed in directory DIR and TAB
# pressed, one per line, then a line "--". The completion functions of FPATH-DIR are
# autoloaded by compinit. It drives one interactive `zsh -f` in a pseudo-terminal (zsh/zpty)
# in which compadd is wrapped to print the matches each call adds (after zsh's own matching,
# through -O). After Valodim's zsh-capture-completion.
emulate -L zsh
setopt extendedglob
zmodload zsh/zpty || exit 3
local fpath_dir=$1 dir=$2 typed line
zpty z zsh -f -i
zpty -w z "PROMPT= ; fpath=(${(q)fpath_dir} \$fpath); cd ${(q)dir} || exit 4"
zpty -w z 'autoload -Uz compinit && compinit -u -D'
zpty -w z 'zstyle ":completion:*" list-grouped false; zstyle ":completion:*" insert-tab false'
zpty -w z 'bindkey "^U" kill-whole-line'
# Calls that only ask for matches (-O, -A, -D) are zsh's own; the others would insert.
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi
  local -a __hits
  builtin compadd -O __hits "$@"
  (( $#__hits )) && print -r -l -- "<<match>>"${^__hits}
  builtin compadd "$@"
}'
# zsh empties comppostfuncs after each completion: TAB sets it again every time.
zpty -w z '__done() { print -r -- "<<end>>"; compstate[insert]=""; compstate[list]="" }'
zpty -w z '__tab() { comppostfuncs=(__done); zle complete-word }; zle -N __tab; bindkey "^I" __tab'
zpty -w z "print -r -- '<<'ready'>>'"
while zpty -r z line; do [[ $line == '<<ready>>'* ]] && break; done
while IFS= read -r typed; do
  zpty -n -w z "$typed"$'\t'
  while zpty -r z line; do
    [[ $line == *'<<end>>'* ]] && break
    [[ $line == *'<<match>>'* ]] && print -r -- ${${line##*<<match>>}%%[$'\r\n']#}
  done
  print -r -- --
  zpty -n -w z $'\C-u'
done
zpty -d z
