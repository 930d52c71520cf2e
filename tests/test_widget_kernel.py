"""The latent explorer in a real Jupyter kernel, driven the way JupyterLab drives it.

A browser drag sends the kernel `comm_msg` messages ({"method": "update", "state": {"value": ...}}) for the
slider's comm; the kernel must answer with an update of the image widget (the PNG as a binary buffer) and of
the read-out. Here the test plays the browser: it reads the widgets' comm_open messages, drags a slider through
several values, and checks what comes back.
"""
import pytest

jupyter_client = pytest.importorskip("jupyter_client")

SETUP = """
import torch
from gancourse.models import FaceJudge
from gancourse.models.cgan import GAN, GANConfig
from gancourse.widgets import latent_explorer, time_updates
torch.manual_seed(0)
gan = GAN(GANConfig(n_classes=0, channels=3, z_dim=4, width=8)).eval()
directions = {"smile": torch.tensor([1.0, 0, 0, 0]), "beard": torch.tensor([0, 0.0, 1, 1]) / 2 ** 0.5}
explorer = latent_explorer(gan.generate, FaceJudge().eval(), directions)
explorer
"""


def run(client, code: str) -> list[dict]:
    """Execute code; the iopub messages it caused, up to the kernel going idle."""
    msg_id = client.execute(code)
    return messages_until_idle(client, msg_id)


def messages_until_idle(client, msg_id: str, timeout: float = 30) -> list[dict]:
    messages = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            return messages
        messages.append(message)


def drag(client, comm_id: str, value: float) -> list[dict]:
    """What the browser sends as the slider moves to `value`; returns the kernel's answer."""
    message = client.session.msg("comm_msg", {"comm_id": comm_id, "data": {
        "method": "update", "state": {"value": value}, "buffer_paths": []}})
    client.shell_channel.send(message)
    return messages_until_idle(client, message["header"]["msg_id"])


@pytest.fixture(scope="module")
def kernel():
    manager, client = jupyter_client.manager.start_new_kernel(kernel_name="python3")
    try:
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def test_dragging_a_slider_redraws_the_face_and_the_readout(kernel):
    shown = run(kernel, SETUP)
    errors = [m["content"] for m in shown if m["msg_type"] == "error"]
    assert not errors, errors
    opened = {m["content"]["data"]["state"]["_model_name"] + ":" + str(m["content"]["data"]["state"].get("description")):
              m["content"]["comm_id"] for m in shown if m["msg_type"] == "comm_open"}
    slider, image = opened["FloatSliderModel:smile"], opened["ImageModel:None"]
    displayed = [m["content"]["data"] for m in shown if m["msg_type"] in ("display_data", "execute_result")]
    assert len(displayed) == 1  # the explorer was displayed: as the widget, and as a still for pages without widgets
    assert {"application/vnd.jupyter.widget-view+json", "image/png", "text/plain"} <= set(displayed[0])
    assert displayed[0]["image/png"].startswith("iVBORw0KGgo")  # base64 of the PNG signature

    pictures = []
    for value in (0.5, 1.0, 1.5, 2.0):  # a drag is a stream of updates
        answer = drag(kernel, slider, value)
        updates = [m for m in answer if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == image]
        assert len(updates) == 1 and updates[0]["buffers"], f"no image update after moving smile to {value}"
        pictures.append(bytes(updates[0]["buffers"][0]))
        assert pictures[-1].startswith(b"\x89PNG")
    assert len(set(pictures)) == len(pictures)  # every step drew a different face

    checked = run(kernel, "print(explorer.controls['smile'].value, 'judge reads' in explorer.readout_widget.value)")
    assert [m["content"]["text"] for m in checked if m["msg_type"] == "stream"] == ["2.0 True\n"]

    # Timing must send the browser nothing: a value set from Python comes back snapped to the slider's grid after
    # the cell has finished, and would overwrite whatever the cell restored.
    timed = run(kernel, "print(time_updates(explorer, k=5) > 0, explorer.values())")
    assert [m for m in timed if m["msg_type"] == "comm_msg"] == []
    assert [m["content"]["text"] for m in timed if m["msg_type"] == "stream"] == [
        "True {'seed': 0, 'smile': 2.0, 'beard': 0.0}\n"]
