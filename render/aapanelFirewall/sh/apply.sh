# shellcheck shell=bash disable=SC2034,SC2153,SC2154 # one part of a script: what it sets, the other parts use
# aaPanel host firewall, create/update: this tier's ufw rules on the aaPanel host; idempotent.
ufw_will_be_active() { ufw_is_active || [[ $ENABLE_UFW == yes ]]; }

# Rules that let only the admin sources in mean nothing when ufw lets everyone in anyway.
refuse_allow_policy() {
  [[ "$(input_policy)" == ACCEPT ]] || return 0
  die "ufw's default incoming policy is allow (DEFAULT_INPUT_POLICY=\"ACCEPT\" in $UFW_DEFAULTS):" \
    "rules letting only aapanelHost.firewall.adminSources reach SSH and the panel would restrict nothing." \
    "Run 'ufw default deny incoming' once SSH is allowed, then deploy again"
}

refuse_inactive_ufw() {
  ufw_will_be_active && return 0
  die "ufw is inactive on this host and aapanelHost.firewall.enableUfw is false: the rules would filter nothing." \
    "Either enable ufw yourself (after allowing SSH), or set aapanelHost.firewall.enableUfw to true" \
    "(pulumi config set --path aapanelHost.firewall.enableUfw true) to let cm-infra allow SSH from" \
    "aapanelHost.firewall.adminSources and enable it"
}

# SSH is never lost: the address this deploy comes from must be an admin source, or SSH
# from it would hang on rules cm-infra does not own (the panel's "allow 22/tcp" that the
# operator is told to delete), and the next deploy could be locked out.
refuse_unlisted_deployer() {
  local address
  address=$(deployer_address)
  [[ -n $address ]] || return 0
  admin_sources_contain "$address" && return 0
  die "this deploy connects from $address, which aapanelHost.firewall.adminSources (${ADMIN_SOURCES[*]}) does not" \
    "contain: once other rules go, SSH from there would be refused and the next deploy locked out; add $address" \
    "(or its network) to adminSources"
}

has_rule() { # has_rule <rule> <entries...>
  local wanted=$1 entry
  shift
  for entry in "$@"; do
    if [[ ${entry#* } == "$wanted" ]]; then return 0; fi
  done
  return 1
}

# In the order given, so SSH goes first. A rule someone else holds (the panel's own
# "allow 80/tcp", a deny of the same port) is left exactly as it is: adding ours would
# take it over (ufw rewrites the comment and the action of a rule it already has).
claim_rules() {
  local entry rule
  for entry in "${WANTED[@]}"; do
    rule=${entry#* }
    rule_owner "$rule"
    case $OWNER in
      absent) ufw_add "$rule" ;;
      ours) if [[ $OWNER_RULE != "$rule" ]]; then ufw_add "$rule" "$OWNER_LINE"; fi ;;
      cm-infra | other)
        if [[ $OWNER_RULE != "$rule" ]]; then
          warn "'$OWNER_LINE' is not this tier's and takes the place of '$rule' (ufw counts them as one rule); left as it is"
        elif [[ $OWNER == other ]]; then
          say "'$rule' exists already and is not cm-infra's; leaving it to its owner"
        fi
        ;;
    esac
  done
}

release_unwanted() {
  local entry
  for entry in "${RECORDED[@]}"; do
    has_rule "${entry#* }" "${WANTED[@]}" || release_rule "${entry%% *}" "${entry#* }"
  done
}

enable_ufw_if_chosen() {
  ufw_is_active && return 0
  run_ufw --force enable
  UFW_ACTIVE=yes
}

# Coexisting: rules that are not ours are never deleted or moved, only named.
name_exposing_rules() {
  local line why
  fresh_added
  while IFS=$'\t' read -r line why; do
    [[ -n $line ]] || continue
    warn "'$line' is not cm-infra's and $why, beyond aapanelHost.firewall.adminSources; cm-infra leaves it:" \
      "if only the admin sources should get in, delete it on the panel's Security page (or: ufw delete ${line%% comment \'*})"
  done < <(exposing_rules)
}

preflight
take_lock
BEFORE=$(fingerprint)
refuse_allow_policy
refuse_inactive_ufw
refuse_unlisted_deployer
read_record
# The record first names every rule this run may add, so a run killed half-way leaves
# no rule of ours that no record names; the final record is what this tier wants.
UNION=("${RECORDED[@]}")
for entry in "${WANTED[@]}"; do
  has_rule "${entry#* }" "${RECORDED[@]}" || UNION+=("$entry")
done
write_record "${UNION[@]}"
claim_rules
release_unwanted
write_record "${WANTED[@]}" "${KEPT[@]}"
enable_ufw_if_chosen
ufw_changes_done
name_exposing_rules
summarize_run "$BEFORE"
