/*
 * main() of the layer-link-* executables (meson.build): each links one
 * layer whole, plus the layers it may use, so that a call into any other
 * layer fails to link.  Never run.
 */
int main(void)
{
    return 0;
}
