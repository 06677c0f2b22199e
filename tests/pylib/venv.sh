# Sourced by the end-to-end scripts: `ensure_venv DIR REQUIREMENTS` makes DIR a Python
# venv holding exactly the pinned REQUIREMENTS, rebuilding it when they change.
ensure_venv() {
    local venv=$1 requirements=$2
    if ! cmp -s "$requirements" "$venv/requirements.txt" 2>/dev/null; then
        echo "installing $(tr '\n' ' ' < "$requirements")into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$venv/requirements.txt"
    fi
}
