/*
 * The host's ERR and REQ interrupts of a passthrough device, under the
 * iommufd simulator, whose control command "vfio-irq <bdf> err|req"
 * signals what the VMM registered with VFIO_DEVICE_SET_IRQS, as the
 * kernel's AER handler (vfio_pci_aer_err_detected()) and release request
 * (vfio_pci_core_request()) do.
 *
 * ERR stops the machine (STOP; query-status "internal-error"), reported
 * once however often the host repeats it.  REQ asks the guest to release
 * the device as device_del does: in a pcie-root-port slot the attention
 * button, and DEVICE_DELETED once the guest (this test, as Linux's
 * pciehp) powers the slot off; on the root bus at once; a port with
 * hot-plug off refuses it, reported once.  A host that
 * refuses SET_IRQS leaves the device working without that interrupt,
 * with one warning.
 */
#include <string.h>
#include "libqtest.h"
#include "libqos/qos-pci.h"
#include "libqos/sim-helpers.h"

#define BDF             "0000:02:00.0"
#define RP_DEVFN        QPCI_DEVFN(2, 0)
#define TIMEOUT_US      (5 * G_USEC_PER_SEC)

#define PCI_SECONDARY_BUS       0x19
#define PCI_EXP_SLTSTA          0x1a
#define  SLTSTA_ABP             0x0001
#define  SLTSTA_PDC             0x0008
#define  SLTSTA_PDS             0x0040

#define MACHINE   "-M q35 -m 256M -nodefaults -display none " \
                  "-object iommufd,id=iommufd0 "
#define ROOT_PORT "-device pcie-root-port,id=rp1,chassis=1,slot=1,addr=2 "
#define VFIO_RP   "-device vfio-pci,host=" BDF ",iommufd=iommufd0,bus=rp1," \
                  "id=dev0 "

#define ERR_MSG   "unrecoverable error (AER)"

static const char conf[] =
    "[iommu]\n"
    "type=intel-vtd\n"
    "[device " BDF "]\n";

typedef struct Env {
    SimEnv sim;
    QTestState *qts;
    QPCIHost pci;
} Env;

static void env_start(Env *e, const char *args)
{
    memset(e, 0, sizeof(*e));
    simh_env_init(&e->sim, conf);
    e->qts = simh_spawn(&e->sim, args);
    e->pci = (QPCIHost) { .qts = e->qts, .ecam = QPCI_Q35_ECAM };
}

static void env_stop(Env *e)
{
    g_assert_cmpint(simh_quit(&e->sim, e->qts), ==, 0);
    simh_env_cleanup(&e->sim);
}

/* "OK delivered=N" of vfio-irq: whether an eventfd was registered */
static int host_irq(Env *e, const char *which)
{
    g_autofree char *r = g_strstrip(simh_cmd(&e->sim, "vfio-irq " BDF " %s",
                                             which));

    if (!strcmp(r, "OK delivered=1")) {
        return 1;
    }
    g_assert_cmpstr(r, ==, "OK delivered=0");
    return 0;
}

static void assert_status(Env *e, bool running, const char *status)
{
    g_autoptr(JsonObject) rsp = qtest_qmp(e->qts,
                                          "{'execute': 'query-status'}");
    JsonObject *ret = json_object_get_object_member(rsp, "return");

    g_assert_nonnull(ret);
    g_assert_cmpint(json_object_get_boolean_member(ret, "running"), ==,
                    running);
    g_assert_cmpstr(json_object_get_string_member(ret, "status"), ==,
                    status);
}

static unsigned stderr_lines(Env *e, const char *needle)
{
    g_autofree char *text = simh_stderr(&e->sim);

    return simh_count_lines(text, needle);
}

/* ---- the guest's pciehp ---- */

static uint8_t rp_exp(Env *e)
{
    return qpci_exp_cap(&e->pci, 0, RP_DEVFN);
}

static uint16_t rp_sltsta(Env *e)
{
    return qpci_slot_status(&e->pci, 0, RP_DEVFN);
}

static void rp_power(Env *e, bool on)
{
    qpci_slot_power(&e->pci, 0, RP_DEVFN, on);
}

/* The guest gives the port bus 1. */
static void number_port(Env *e)
{
    qpci_bridge_set_buses(&e->pci, 0, RP_DEVFN, 1, 1);
}

/* The unplug request (a bottom half after the eventfd) reaches the slot. */
static void wait_attention_button(Env *e)
{
    gint64 end = g_get_monotonic_time() + TIMEOUT_US;

    while (!(rp_sltsta(e) & SLTSTA_ABP)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(5 * 1000);
    }
}

/* pciehp's answer to the button: acknowledge, power the slot off. */
static void guest_release(Env *e)
{
    g_autoptr(JsonObject) ev = NULL;

    qpci_cfg_writew(&e->pci, 0, RP_DEVFN, rp_exp(e) + PCI_EXP_SLTSTA,
                    SLTSTA_ABP);
    rp_power(e, false);
    ev = qtest_qmp_eventwait_ref(e->qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(ev, "data"), "device"),
                    ==, "dev0");
    g_assert_cmphex(rp_sltsta(e) & SLTSTA_PDS, ==, 0);
}

/* ------------------------------------------------------------------ */

static void test_err_stops(void)
{
    g_autoptr(JsonObject) ev = NULL;
    Env e;

    env_start(&e, MACHINE ROOT_PORT VFIO_RP);
    assert_status(&e, true, "running");
    g_assert_cmpint(host_irq(&e, "err"), ==, 1);
    ev = qtest_qmp_eventwait_ref(e.qts, "STOP");
    g_assert_false(json_object_has_member(ev, "data"));
    assert_status(&e, false, "internal-error");
    g_assert_cmpuint(stderr_lines(&e, ERR_MSG), ==, 1);

    /* The host repeats it: no second STOP, no second message */
    g_assert_cmpint(host_irq(&e, "err"), ==, 1);
    g_assert_cmpint(host_irq(&e, "err"), ==, 1);
    assert_status(&e, false, "internal-error");
    g_assert_null(qtest_qmp_event_ref(e.qts, "STOP"));
    g_assert_cmpuint(stderr_lines(&e, ERR_MSG), ==, 1);

    /* The device stays: stopping is management's cue, not an unplug */
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 1);

    /* As QEMU: no "cont" out of internal-error before a reset */
    {
        g_autoptr(JsonObject) rsp = qtest_qmp(e.qts, "{'execute': 'cont'}");
        JsonObject *err;

        g_assert_true(json_object_has_member(rsp, "error"));
        err = json_object_get_object_member(rsp, "error");
        g_assert_cmpstr(json_object_get_string_member(err, "desc"), ==,
                        "Resetting the Virtual Machine is required");
    }
    assert_status(&e, false, "internal-error");
    /* QEMU's main loop: reset while not running leaves "prelaunch" */
    qtest_qmp_assert_success(e.qts, "{'execute': 'system_reset'}");
    assert_status(&e, false, "prelaunch");
    qtest_qmp_assert_success(e.qts, "{'execute': 'cont'}");
    qtest_qmp_eventwait(e.qts, "RESUME");
    assert_status(&e, true, "running");
    env_stop(&e);
}

static void test_req_root_port(void)
{
    Env e;

    env_start(&e, MACHINE ROOT_PORT VFIO_RP);
    number_port(&e);
    g_assert_true(qpci_present(&e.pci, 1, 0));
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    wait_attention_button(&e);
    /* The guest has not let go: the device stays */
    g_assert_null(qtest_qmp_event_ref(e.qts, "DEVICE_DELETED"));
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 1);
    /* The host asks again while the request is pending: nothing new */
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    assert_status(&e, true, "running");

    guest_release(&e);
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 0);
    /* Unrealize took the triggers away with the device */
    g_assert_cmpint(host_irq(&e, "req"), ==, 0);
    g_assert_cmpint(host_irq(&e, "err"), ==, 0);
    g_assert_cmpuint(stderr_lines(&e, "vfio"), ==, 0);
    env_stop(&e);
}

/* No hot-plug slot: the device goes at once, as device_del does. */
static void test_req_root_bus(void)
{
    g_autoptr(JsonObject) ev = NULL;
    Env e;

    env_start(&e, MACHINE "-device vfio-pci,host=" BDF ",iommufd=iommufd0,"
              "addr=3,id=dev0 ");
    g_assert_true(qpci_present(&e.pci, 0, QPCI_DEVFN(3, 0)));
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    ev = qtest_qmp_eventwait_ref(e.qts, "DEVICE_DELETED");
    g_assert_cmpstr(json_object_get_string_member(
                        json_object_get_object_member(ev, "data"), "device"),
                    ==, "dev0");
    g_assert_false(qpci_present(&e.pci, 0, QPCI_DEVFN(3, 0)));
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 0);
    g_assert_cmpint(host_irq(&e, "req"), ==, 0);
    env_stop(&e);
}

/*
 * A port with hot-plug off refuses the unplug (as it refuses device_del):
 * reported once however often the host asks, and the device stays.
 */
static void test_req_refused(void)
{
    Env e;

    env_start(&e, MACHINE "-device pcie-root-port,id=rp1,chassis=1,slot=1,"
              "addr=2,hotplug=off " VFIO_RP);
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    g_assert_true(simh_wait_stderr(&e.sim, "cannot be unplugged", 5000));
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    /*
     * Two QMP round trips: the second is read in a later main-loop
     * iteration than the one that dispatched the eventfd and its BH.
     */
    assert_status(&e, true, "running");
    assert_status(&e, true, "running");
    g_assert_cmpuint(stderr_lines(&e, "cannot be unplugged"), ==, 1);
    g_assert_cmpuint(stderr_lines(&e, "hotplug=off"), ==, 1);
    g_assert_null(qtest_qmp_event_ref(e.qts, "DEVICE_DELETED"));
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 1);
    env_stop(&e);
}

/*
 * The host refuses the ERR trigger: the device realizes (hot-plugged, so
 * the failure can be injected first), one warning says so, and REQ --
 * registered after it -- still works.
 */
static void test_set_irqs_fails(void)
{
    Env e;

    env_start(&e, MACHINE ROOT_PORT);
    number_port(&e);
    simh_cmd_ok(&e.sim, "inject ioctl VFIO_DEVICE_SET_IRQS 1 EIO");
    qtest_qmp_assert_success(e.qts, "{'execute': 'device_add', "
        "'arguments': {'driver': 'vfio-pci', 'host': '" BDF "', "
        "'iommufd': 'iommufd0', 'bus': 'rp1', 'id': 'dev0'}}");
    g_assert_cmpuint(simh_objects(&e.sim, "device"), ==, 1);
    g_assert_cmpuint(stderr_lines(&e, "VFIO_DEVICE_SET_IRQS (ERR trigger) "
                                      "failed"), ==, 1);
    g_assert_cmpuint(stderr_lines(&e, "vfio"), ==, 1);
    /* pciehp: acknowledge the arrival, power the slot on */
    g_assert_cmphex(rp_sltsta(&e) & (SLTSTA_PDS | SLTSTA_PDC), ==,
                    SLTSTA_PDS | SLTSTA_PDC);
    qpci_cfg_writew(&e.pci, 0, RP_DEVFN, rp_exp(&e) + PCI_EXP_SLTSTA,
                    SLTSTA_PDC | SLTSTA_ABP);
    rp_power(&e, true);
    g_assert_true(qpci_present(&e.pci, 1, 0));

    g_assert_cmpint(host_irq(&e, "err"), ==, 0);
    assert_status(&e, true, "running");
    g_assert_cmpint(host_irq(&e, "req"), ==, 1);
    wait_attention_button(&e);
    guest_release(&e);
    g_assert_cmpuint(stderr_lines(&e, "vfio"), ==, 1);
    env_stop(&e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    if (!simh_lib()) {
        g_test_message("SKIP: IOMMUFD_SIM_LIB is not set");
        return 77;
    }
    g_test_add_func("/vfio-irqs/err-stops", test_err_stops);
    g_test_add_func("/vfio-irqs/req-root-port", test_req_root_port);
    g_test_add_func("/vfio-irqs/req-root-bus", test_req_root_bus);
    g_test_add_func("/vfio-irqs/req-refused", test_req_refused);
    g_test_add_func("/vfio-irqs/set-irqs-fails", test_set_irqs_fails);
    return g_test_run();
}
