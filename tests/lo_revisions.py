"""Accept or reject every tracked change of a Word file in LibreOffice, and print its text.

Run with Debian's python3, which has LibreOffice's UNO bridge (python3-uno), not the venv's:
    /usr/bin/python3 tests/lo_revisions.py FILE.docx accept|reject
Prints the document's paragraphs, one per line, as LibreOffice holds them after the command.
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno

path, mode = os.path.abspath(sys.argv[1]), sys.argv[2]
profile = tempfile.mkdtemp(prefix="icat-lo-")
pipe = f"icat{os.getpid()}"
office = subprocess.Popen(["soffice", "--headless", "--invisible", "--norestore", "--nologo",
                           f"-env:UserInstallation=file://{profile}", f"--accept=pipe,name={pipe};urp;"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    for _ in range(300):
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            time.sleep(0.1)
    else:
        sys.exit("LibreOffice did not start")
    smgr = context.ServiceManager
    desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", context)
    hidden = uno.createUnoStruct("com.sun.star.beans.PropertyValue")
    hidden.Name, hidden.Value = "Hidden", True
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(path), "_blank", 0, (hidden,))
    dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", context)
    frame = document.getCurrentController().getFrame()
    command = ".uno:AcceptAllTrackedChanges" if mode == "accept" else ".uno:RejectAllTrackedChanges"
    dispatcher.executeDispatch(frame, command, "", 0, ())
    paragraphs = document.getText().createEnumeration()
    while paragraphs.hasMoreElements():
        print(paragraphs.nextElement().getString())
    document.close(True)
    try:
        desktop.terminate()
    except Exception:  # the bridge closes as the office quits
        pass
finally:
    try:
        office.wait(timeout=20)
    except subprocess.TimeoutExpired:
        office.kill()
    shutil.rmtree(profile, ignore_errors=True)
