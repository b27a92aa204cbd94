# Sourced by build-python.sh and make-venv.sh: settings from the BuildKit secret
# astro-pyenv-settings, for builds that cannot pass build args (the Astro CLI
# passes only secrets: astro dev start / astro deploy --build-secret).
#
# Format: one KEY=value a line; blank lines and lines starting with # are
# skipped; the value is everything after the first "=", taken literally except
# that one pair of surrounding double or single quotes is removed.  A UTF-8 byte
# order mark at the start of the file (some editors write one) is skipped.
#
# Only settings that cannot change what a step builds are accepted here: where
# to download from, with which credentials and how long to wait.  BuildKit keeps
# secret contents out of the layer cache key, so a setting that changes the
# result (pip's version, configure options, curl options run by the compile)
# must be a build arg or an ARG in the Dockerfile, which are in the key; such a
# key here is an error, not silently ignored.  The frontend's own settings
# (ASTRO_PYENV_PREBUILT, ASTRO_PYENV_PIP_CACHE) are needed before any step runs.
#
# A value from the secret wins over the same setting as a build arg or an ARG
# default.  Values are never printed, only names.
#
# tests/unit/test_settings_secret.py keeps these lists equal to the build args
# the templates declare (render.py) and to the README's settings table.

astro_pyenv_secret_settings="PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_TRUSTED_HOST PIP_FIND_LINKS PIP_DEFAULT_TIMEOUT PYTHON_BUILD_MIRROR_URL"
astro_pyenv_result_settings="PIP_CONSTRAINT PIP_PRE PIP_ONLY_BINARY PIP_NO_BINARY ASTRO_PYENV_PIP_VERSION PYTHON_BUILD_HTTP_CLIENT PYTHON_BUILD_CURL_OPTS PYTHON_BUILD_WGET_OPTS PYTHON_CONFIGURE_OPTS CONFIGURE_OPTS PYTHON_CFLAGS PYTHON_MAKE_OPTS MAKE_OPTS PYTHON_MAKE_INSTALL_OPTS MAKE_INSTALL_OPTS PYTHON_MAKE_INSTALL_TARGET"
astro_pyenv_frontend_settings="ASTRO_PYENV_PREBUILT ASTRO_PYENV_PIP_CACHE"

astro_pyenv_settings_error() {
    echo "astro-pyenv: secret astro-pyenv-settings, line $1: $2" >&2
    exit 1
}

astro_pyenv_in_list() {  # WORD LIST
    case " $2 " in *" $1 "*) return 0 ;; esac
    return 1
}

# usage: astro_pyenv_load_settings [FILE]   (default /run/secrets/astro-pyenv-settings)
astro_pyenv_load_settings() {
    _file="${1:-/run/secrets/astro-pyenv-settings}"
    [ -s "$_file" ] || return 0
    _cr=$(printf '\r')
    _bom=$(printf '\357\273\277')
    _n=0
    _names=""
    while IFS= read -r _line || [ -n "$_line" ]; do
        _n=$((_n + 1))
        [ "$_n" -gt 1 ] || _line="${_line#"$_bom"}"
        _line="${_line%"$_cr"}"
        _line="${_line#"${_line%%[! 	]*}"}"  # leading blanks
        case "$_line" in "" | "#"*) continue ;; esac
        case "$_line" in
            *=*) ;;
            *) astro_pyenv_settings_error "$_n" "expected KEY=value" ;;
        esac
        _key="${_line%%=*}"
        _value="${_line#*=}"
        if astro_pyenv_in_list "$_key" "$astro_pyenv_result_settings"; then
            astro_pyenv_settings_error "$_n" "$_key changes what is built and secrets are not part of BuildKit's cache key: set it as a build arg or as 'ARG $_key=...' before the first FROM of the Dockerfile"
        fi
        if astro_pyenv_in_list "$_key" "$astro_pyenv_frontend_settings"; then
            astro_pyenv_settings_error "$_n" "$_key is read by the frontend before any step runs: set it as a build arg or as 'ARG $_key=...' before the first FROM of the Dockerfile"
        fi
        if ! astro_pyenv_in_list "$_key" "$astro_pyenv_secret_settings"; then
            astro_pyenv_settings_error "$_n" "unknown setting '$_key' (this secret takes: $astro_pyenv_secret_settings)"
        fi
        case "$_value" in
            \"*\") _value="${_value#\"}"; _value="${_value%\"}" ;;
            \'*\') _value="${_value#\'}"; _value="${_value%\'}" ;;
        esac
        if [ "$_key" = PYTHON_BUILD_MIRROR_URL ]; then
            case "$_value" in
                http://* | https://*) ;;
                *) astro_pyenv_settings_error "$_n" "PYTHON_BUILD_MIRROR_URL must start with http:// or https://" ;;
            esac
        fi
        export "$_key=$_value"
        astro_pyenv_in_list "$_key" "$_names" || _names="${_names:+$_names }$_key"
    done <"$_file"
    if [ -n "$_names" ]; then
        echo "astro-pyenv: from secret astro-pyenv-settings: $_names" >&2
    fi
}
