. "$srcdir/tests/lib.sh"
t_init browser
t_skip_all "placeholder"
